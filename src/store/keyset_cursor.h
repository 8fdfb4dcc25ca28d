// The keyset cursor now lives in src/domain (issue 27); this name stays until
// the callers move to domain:: (phase 2).
#pragma once

#include "domain/keyset_cursor.h"

namespace facepass::store {

using domain::KeysetCursor;

}  // namespace facepass::store
