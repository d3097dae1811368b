#include "sandbox/capabilities.hpp"

#include <linux/securebits.h>
#include <sys/prctl.h>

#include <cerrno>

namespace hotplex::sandbox {

Result<CapabilityDropper> CapabilityDropper::Prepare() {
  CapabilityDropper dropper;
  dropper.empty_.reset(cap_init());  // cap_init() is all-clear
  if (!dropper.empty_) return ErrnoError("cap_init");
  dropper.last_cap_ = static_cast<int>(cap_max_bits()) - 1;
  return dropper;
}

const char* CapabilityDropper::DropAll() const {
  // Securebits first: they need CAP_SETPCAP, which the bounding-set drop also needs.
  const unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                             SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
                             SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
  if (::prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) != 0) return "securebits";
  for (int cap = 0; cap <= last_cap_; ++cap) {
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) return "capbset_drop";
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return "cap_ambient_clear";
  }
  if (cap_set_proc(empty_.get()) != 0) return "capset";
  return nullptr;
}

}  // namespace hotplex::sandbox
