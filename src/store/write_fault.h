// Test-only full-disk seam (issue 13): with FACEPASS_TEST_ENOSPC_FILE=<path>
// in the environment, every durable file write (WriteAllAndSync: image
// files, the secret, key files) fails with ENOSPC while <path> exists, as a
// full disk would, and succeeds again once it is removed ("space returns").
// Unset (production), the check is one getenv at the first write. SQLite's
// own writes are not affected: a full disk there fails the transaction,
// which SQLite rolls back.
#pragma once

namespace facepass::store {

// True while the seam is armed and its file exists.
bool InjectedNoSpace();

}  // namespace facepass::store
