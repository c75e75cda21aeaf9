//! The conformance battery ([`mapisim::conformance`]) for a compiled provider library.

use std::path::Path;
use std::sync::Arc;

use mapisim::conformance::Conformance;
use mapisim::spi::{Exports, ProviderLibrary};

use super::{HostError, HostHeap, NativeLibrary};

/// The battery for the compiled provider library at `path`, which MAPI loads as `file` (the
/// name with the `32`, `SMPMS32.DLL`), its message-service entry point exported as
/// `service_entry`; with the entry points the file exports, to choose its services by. Each run
/// loads the library afresh and puts MAPI's memory on a [`HostHeap`], as
/// [`NativeLibraries::native_library`](super::NativeLibraries::native_library) does. Give the
/// battery its services (`mapisvc_inf`, `service`) and run it.
///
/// ```no_run
/// use mapisim::sample::SampleStore;
/// use mapisim_com::host::native_conformance;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (battery, _exports) = native_conformance("SMPMS32.DLL", "target/debug/libsmpms32.so", "ServiceEntry")?;
/// battery.mapisvc_inf(SampleStore::MAPISVC_INF)?.run()?.assert_clean();
/// # Ok(())
/// # }
/// ```
pub fn native_conformance(
    file: &str,
    path: impl AsRef<Path>,
    service_entry: &str,
) -> Result<(Conformance, Exports), HostError> {
    let path = path.as_ref().to_path_buf();
    let probe = NativeLibrary::open(file, &path, service_entry)?;
    let exports = probe.exports();
    drop(probe);
    if exports.is_empty() {
        return Err(HostError::NoEntryPoint {
            path,
            service_entry: service_entry.to_owned(),
        });
    }
    let (name, entry) = (file.to_owned(), service_entry.to_owned());
    let battery = Conformance::new(file, move || NativeLibrary::load(&name, &path, &entry))
        .configure(|builder| builder.memory_backend(Arc::new(HostHeap::new())));
    Ok((battery, exports))
}
