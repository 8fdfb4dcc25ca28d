// Fills a FaceIndex from the metadata store at start-up: the store's binding
// scan (store/binding_scan.h) feeding FaceIndex::Reserve/BulkLoad.
#pragma once

#include "common/status.h"
#include "index/face_index.h"
#include "store/binding_scan.h"

namespace facepass::index {

// threads as store::ScanBindings. Corruption if a stored feature does not have
// the index's dimension. On error the index may hold part of the data: discard it.
Status LoadFromStore(const store::Database& db, FaceIndex& index, store::BindingScanStats* stats = nullptr,
                     int threads = 0);

}  // namespace facepass::index
