// The operations of a group's change log (group_changes.op), the same codes
// in every backend so a migration copies the log as it is.
#pragma once

namespace facepass::store {

enum ChangeOp : int { kOpCreate = 0, kOpBind = 1, kOpUnbind = 2, kOpDelete = 3 };

}  // namespace facepass::store
