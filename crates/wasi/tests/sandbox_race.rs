//! A host thread keeps swapping a directory inside the preopen for a symbolic link to `/` (and
//! back) while the guest keeps opening, creating and statting through it. The guest paths name
//! a real file inside the preopen when the directory is in place, and a file outside it when
//! the link is: nothing outside may ever be opened, truncated, created or statted.

mod sandbox_common;

use std::os::unix::fs::MetadataExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sandbox_common::{RESOLVERS, Sandbox};
use wasihost::preview1::types::{Errno, Lookupflags, Oflags, Rights};

/// The guest stops once it has seen both outcomes (opened inside, refused) this often...
const ENOUGH: usize = 200;
/// ... or after this many rounds; the host swaps until the guest stops.
const MAX_ROUNDS: usize = 20_000;

#[test]
fn swapping_a_directory_for_a_link_to_root_never_escapes() {
    for resolver in RESOLVERS {
        let mut sb = Sandbox::new(resolver);
        let outside = sb.outside();
        // `sub/<outside, relative to />/secret` is a real file inside while `sub` is a directory.
        let rel = outside.strip_prefix("/").unwrap().to_path_buf();
        let inside = sb.inside();
        std::fs::create_dir_all(inside.join("sub").join(&rel)).unwrap();
        std::fs::write(inside.join("sub").join(&rel).join("secret"), b"inner").unwrap();
        let secret = outside.join("secret");
        let outside_ino = std::fs::metadata(&secret).unwrap().ino();
        let before = sb.outside_state();

        let stop = Arc::new(AtomicBool::new(false));
        let swapper = {
            let stop = stop.clone();
            let sub = inside.join("sub");
            let parked = inside.join("parked");
            std::thread::spawn(move || {
                while !stop.load(Ordering::Acquire) {
                    std::fs::rename(&sub, &parked).unwrap();
                    std::os::unix::fs::symlink("/", &sub).unwrap();
                    std::thread::yield_now();
                    std::fs::remove_file(&sub).unwrap();
                    std::fs::rename(&parked, &sub).unwrap();
                }
            })
        };

        let target = format!("sub/{}/secret", rel.display());
        let created = format!("sub/{}/created", rel.display());
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
                Ok(_) => inside_hits += 1,
                Err(Errno::Perm | Errno::Noent) => refusals += 1,
                Err(e) => panic!("{resolver:?} round {round}: unexpected {e:?}"),
            }
            match sb.stat(target.as_bytes(), follow) {
                Ok(st) => assert_ne!(st.ino, outside_ino, "{resolver:?}: statted outside"),
                Err(Errno::Perm | Errno::Noent) => {}
                Err(e) => panic!("{resolver:?} round {round}: unexpected {e:?}"),
            }
            let excl = Oflags::CREAT | Oflags::EXCL;
            match sb.open(created.as_bytes(), follow, excl) {
                Ok(_) => {
                    let p = inside.join("sub").join(&rel).join("created");
                    // The swapper may have parked the directory meanwhile.
                    let q = inside.join("parked").join(&rel).join("created");
                    let _ = std::fs::remove_file(&p).or_else(|_| std::fs::remove_file(&q));
                }
                Err(Errno::Perm | Errno::Noent | Errno::Exist) => {}
                Err(e) => panic!("{resolver:?} round {round}: unexpected {e:?}"),
            }
        }
        stop.store(true, Ordering::Release);
        swapper.join().unwrap();
        assert_eq!(sb.outside_state(), before, "{resolver:?}: outside changed");
        assert_eq!(std::fs::read(&secret).unwrap(), b"SECRET");
        // Both outcomes happened, so the race was really run.
        assert!(
            inside_hits > 0 && refusals > 0,
            "{resolver:?}: {inside_hits} {refusals}"
        );
    }
}
