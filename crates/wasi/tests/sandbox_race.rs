//! A host thread keeps swapping a directory inside the preopen for a symbolic link to `/` (and
//! back) while the guest keeps opening, creating and statting through it. The guest paths name
//! a real file inside the preopen when the directory is in place, and a file outside it when
//! the link is: nothing outside may ever be opened, truncated, created or statted. Run on OS
//! directories (both resolvers) and on a `MemFs`, whose "outside" is a sibling directory in
//! the same `MemFs` and whose swapper uses the directory's own methods.

mod sandbox_common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sandbox_common::{KINDS, Sandbox, Tree};
use wasihost::preview1::types::{Errno, Lookupflags, Oflags, Rights};
use wasihost::vfs::{OpenOptions, Opened};

/// The guest stops once it has seen both outcomes (opened inside, refused) this often...
const ENOUGH: usize = 200;
/// ... or after this many rounds; the host swaps until the guest stops.
const MAX_ROUNDS: usize = 20_000;

/// How long the swapper leaves the directory in place each round.
const DIR_PAUSE: std::time::Duration = std::time::Duration::from_micros(20);

/// One round of the host's swap: `sub` becomes a link to `/`, then a directory again.
type Swap = Box<dyn Fn() + Send>;

/// The swap for the sandbox's kind of directory, and how to remove a file the guest created
/// beneath `sub` (wherever the swapper has put it meanwhile).
fn swapper_for(sb: &Sandbox, rel: &str) -> (Swap, Box<dyn Fn()>) {
    match &sb.tree {
        Tree::Os(_) => {
            let inside = sb.inside();
            let (sub, parked) = (inside.join("sub"), inside.join("parked"));
            let swap = Box::new(move || {
                std::fs::rename(&sub, &parked).unwrap();
                std::os::unix::fs::symlink("/", &sub).unwrap();
                std::thread::yield_now();
                std::fs::remove_file(&sub).unwrap();
                std::fs::rename(&parked, &sub).unwrap();
                // Leave the directory in place a moment too: on a loaded machine a swapper that
                // never pauses starves the guest of the inside outcome (and `openat2` refuses any
                // lookup that overlaps a rename anywhere, so it would see only refusals).
                std::thread::sleep(DIR_PAUSE);
            });
            let (p, q) = (
                inside.join("sub").join(rel).join("created"),
                inside.join("parked").join(rel).join("created"),
            );
            let remove = Box::new(move || {
                let _ = std::fs::remove_file(&p).or_else(|_| std::fs::remove_file(&q));
            });
            (swap, remove)
        }
        Tree::Mem(fs) => {
            let Opened::Dir(inside) = fs.root().open(b"inside", &OpenOptions::LOOKUP).unwrap()
            else {
                panic!("a directory")
            };
            let swap = Box::new(move || {
                inside.rename(b"sub", &*inside, b"parked").unwrap();
                inside.symlink(b"/", b"sub").unwrap();
                std::thread::yield_now();
                inside.unlink(b"sub").unwrap();
                inside.rename(b"parked", &*inside, b"sub").unwrap();
                std::thread::sleep(DIR_PAUSE);
            });
            let fs = fs.clone();
            let (p, q) = (
                format!("inside/sub/{rel}/created"),
                format!("inside/parked/{rel}/created"),
            );
            let remove = Box::new(move || {
                let _ = fs.remove(&p).or_else(|_| fs.remove(&q));
            });
            (swap, remove)
        }
    }
}

#[test]
fn swapping_a_directory_for_a_link_to_root_never_escapes() {
    for kind in KINDS {
        let mut sb = Sandbox::of(kind);
        let outside = sb.outside_abs();
        // `sub/<outside, relative to />/secret` is a real file inside while `sub` is a directory.
        let rel = outside.strip_prefix('/').unwrap().to_string();
        sb.put_dir(&format!("inside/sub/{rel}"));
        sb.put_file(&format!("inside/sub/{rel}/secret"), b"inner");
        let outside_ino = sb.ino_of("outside/secret");
        let before = sb.outside_state();

        let stop = Arc::new(AtomicBool::new(false));
        let (swap, remove_created) = swapper_for(&sb, &rel);
        let swapper = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Acquire) {
                    swap();
                }
            })
        };

        let target = format!("sub/{rel}/secret");
        let created = format!("sub/{rel}/created");
        let follow = Lookupflags::SYMLINK_FOLLOW;
        let (mut inside_hits, mut refusals) = (0, 0);
        for round in 0..MAX_ROUNDS {
            if inside_hits >= ENOUGH && refusals >= ENOUGH {
                break;
            }
            // Open for writing with truncation: an escape would empty the outside file.
            let rights = Rights::FD_WRITE;
            match sb.open_with(
                sandbox_common::PREOPEN,
                target.as_bytes(),
                follow,
                Oflags::TRUNC,
                rights,
            ) {
                Ok(fd) => {
                    sb.close(fd);
                    inside_hits += 1
                }
                Err(Errno::Perm | Errno::Noent) => refusals += 1,
                Err(e) => panic!("{kind:?} round {round}: unexpected {e:?}"),
            }
            match sb.stat(target.as_bytes(), follow) {
                Ok(st) => assert_ne!(st.ino, outside_ino, "{kind:?}: statted outside"),
                Err(Errno::Perm | Errno::Noent) => {}
                Err(e) => panic!("{kind:?} round {round}: unexpected {e:?}"),
            }
            let excl = Oflags::CREAT | Oflags::EXCL;
            match sb.open(created.as_bytes(), follow, excl) {
                // The swapper may have parked the directory meanwhile.
                Ok(fd) => {
                    sb.close(fd);
                    remove_created()
                }
                Err(Errno::Perm | Errno::Noent | Errno::Exist) => {}
                Err(e) => panic!("{kind:?} round {round}: unexpected {e:?}"),
            }
        }
        stop.store(true, Ordering::Release);
        swapper.join().unwrap();
        assert_eq!(sb.outside_state(), before, "{kind:?}: outside changed");
        // Both outcomes happened, so the race was really run.
        assert!(
            inside_hits > 0 && refusals > 0,
            "{kind:?}: {inside_hits} {refusals}"
        );
    }
}
