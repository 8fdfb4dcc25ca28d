// The recognition history's records now live in src/domain (issue 27); these
// names stay until the callers move to domain:: (phase 2).
#pragma once

#include "domain/recognition_types.h"
#include "store/keyset_cursor.h"
#include "store/types.h"

namespace facepass::store {

using domain::RecognitionPage;
using domain::RecognitionQuery;
using domain::RecognitionRecord;

}  // namespace facepass::store
