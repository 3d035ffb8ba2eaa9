//! End to end: the `kitchen_sink` guest calls the example host's own (non-WASI) interface
//! through the generated wasmi glue.

mod kitchen;

use wasihost_bindgen_tests::{Host, kitchen_sink};
use wasihost_guest::Trap;
use wasmi::{Engine, Instance, Linker, Module, Store};

fn setup() -> (Store<Host>, Instance) {
    let engine = Engine::default();
    let wasm = wat::parse_str(kitchen::GUEST).unwrap();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut linker = Linker::new(&engine);
    kitchen_sink::wasmi::add_to_linker(&mut linker, |h: &mut Host| h).unwrap();
    let mut store = Store::new(&engine, Host::default());
    let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
    (store, instance)
}

fn call(store: &mut Store<Host>, instance: &Instance, export: &str) -> Result<(), wasmi::Error> {
    let f = instance.get_typed_func::<(), ()>(&*store, export).unwrap();
    f.call(store, ())
}

#[test]
fn guest_calls_every_kind_of_function() {
    let (mut store, instance) = setup();
    call(&mut store, &instance, "run").unwrap();
    let memory = instance.get_memory(&store, "memory").unwrap();
    let (bytes, host) = memory.data_and_store_mut(&mut store);
    kitchen::check_run(bytes, &host.log);
}

#[test]
fn bad_pointers_trap_with_our_error() {
    for export in ["bad_pointer", "misaligned_out"] {
        let (mut store, instance) = setup();
        let err = call(&mut store, &instance, export).unwrap_err();
        let trap = err.downcast_ref::<Trap>().expect("our trap");
        assert!(
            matches!(trap, Trap::Guest(g) if g.is_pointer_error()),
            "{export}: {trap:?}"
        );
        assert_eq!(err.to_string(), trap.to_string(), "{export}");
    }
}

#[test]
fn noreturn_function_surfaces_the_exit_code() {
    let (mut store, instance) = setup();
    let err = call(&mut store, &instance, "stop").unwrap_err();
    // A requested exit is wasmi's own exit error, as `wasmi_wasi` made it.
    assert_eq!(err.i32_exit_status(), Some(42));
    assert_eq!(err.downcast_ref::<Trap>(), None);
}

#[test]
fn guest_without_memory_export_faults_on_every_pointer() {
    let engine = Engine::default();
    let wasm = wat::parse_str(
        r#"(module
          (import "kitchen_sink" "counter_new" (func $new (param i64 i32) (result i32)))
          (memory 1)
          (func (export "go") (drop (call $new (i64.const 1) (i32.const 0)))))"#,
    )
    .unwrap();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut linker = Linker::new(&engine);
    kitchen_sink::wasmi::add_to_linker(&mut linker, |h: &mut Host| h).unwrap();
    let mut store = Store::new(&engine, Host::default());
    let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
    let err = call(&mut store, &instance, "go").unwrap_err();
    assert!(
        matches!(err.downcast_ref::<Trap>(), Some(Trap::Guest(g)) if g.is_pointer_error()),
        "{err}"
    );
}
