// The catalogue's records now live in src/domain (issue 27); these names
// stay until the callers move to domain:: (phase 2).
#pragma once

#include "domain/types.h"

namespace facepass::store {

using domain::DeviceGroupStatus;
using domain::DeviceRecord;
using domain::FaceRecord;
using domain::GroupChange;
using domain::GroupDelta;
using domain::GroupRecord;
using domain::ImageKind;
using domain::ImageRecord;
using domain::LabelCursor;
using domain::LabelledFace;
using domain::LabelPage;
using domain::LiveFace;
using domain::Rect;

}  // namespace facepass::store
