//! End to end: a WAT guest calls the example host's own (non-WASI) interface through wasmtime.

use wasihost_bindgen_tests::{Host, kitchen_sink, sample_from_seed, types};
use wasihost_guest::{GuestMemory, GuestPtr, Trap};
use wasmtime::{Engine, Linker, Module, Store};

mod kitchen;
use kitchen::GUEST;

fn setup() -> (Store<Host>, wasmtime::Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, GUEST).unwrap();
    let mut linker = Linker::new(&engine);
    kitchen_sink::wasmtime::add_to_linker_for_module(&mut linker, &module, |h: &mut Host| h)
        .unwrap();
    let mut store = Store::new(&engine, Host::default());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

fn read<T: wasihost_guest::GuestType>(
    store: &mut Store<Host>,
    i: &wasmtime::Instance,
    at: u32,
) -> T {
    let memory = i.get_memory(&mut *store, "memory").unwrap();
    let m = GuestMemory::Unshared(memory.data_mut(store));
    GuestPtr::<T>::new(at).read(&m).unwrap()
}

#[test]
fn guest_calls_every_kind_of_function() {
    let (mut store, instance) = setup();
    let run = instance
        .get_typed_func::<(), ()>(&mut store, "run")
        .unwrap();
    run.call(&mut store, ()).unwrap();
    let errnos: Vec<u32> = (0..9)
        .map(|i| read(&mut store, &instance, 0x900 + 4 * i))
        .collect();
    assert_eq!(errnos, [0, 0, 2, 0, 0, 3, 0, 0, 0]);
    assert_eq!(read::<u64>(&mut store, &instance, 0x808), 42);
    assert_eq!(
        read::<types::Point>(&mut store, &instance, 0x810),
        types::Point { x: 111, y: 222 }
    );
    let len: u32 = read(&mut store, &instance, 0x818);
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    assert_eq!(
        &memory.data(&store)[0x400..0x400 + len as usize],
        b"hello, wasm!"
    );
    assert_eq!(
        read::<types::Color>(&mut store, &instance, 0x820),
        types::Color::Red
    );
    assert_eq!(
        read::<types::Perms>(&mut store, &instance, 0x824),
        types::Perms::READ
    );
    assert_eq!(
        read::<u64>(&mut store, &instance, 0x828),
        3,
        "a line and a dot"
    );
    assert_eq!(
        read::<types::Sample>(&mut store, &instance, 0xa00),
        sample_from_seed(77)
    );
    assert_eq!(store.data().log, ["logged from wasm"]);
}

#[test]
fn bad_pointers_trap_with_our_error() {
    for export in ["bad_pointer", "misaligned_out"] {
        let (mut store, instance) = setup();
        let f = instance
            .get_typed_func::<(), ()>(&mut store, export)
            .unwrap();
        let err = f.call(&mut store, ()).unwrap_err();
        let trap = err.downcast_ref::<Trap>().expect("our trap");
        assert!(matches!(trap, Trap::Guest(_)), "{export}: {trap:?}");
    }
}

#[test]
fn noreturn_function_surfaces_the_exit_code() {
    let (mut store, instance) = setup();
    let f = instance
        .get_typed_func::<(), ()>(&mut store, "stop")
        .unwrap();
    let err = f.call(&mut store, ()).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::Exit(42)));
}
