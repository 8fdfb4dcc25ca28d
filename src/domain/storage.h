// One backend's repositories (SQLite in a data directory, or PostgreSQL),
// handed to the services by the composition root. Each repository is
// thread-safe; each call is one transaction.
#pragma once

#include "common/status.h"
#include "domain/audit_repository.h"
#include "domain/catalog_log.h"
#include "domain/config_repository.h"
#include "domain/device_repository.h"
#include "domain/face_repository.h"
#include "domain/group_repository.h"
#include "domain/image_repository.h"
#include "domain/key_repository.h"
#include "domain/recognition_repository.h"
#include "domain/secret_repository.h"
#include "domain/task_locks.h"

namespace facepass::domain {

// kFull (crash tests, backup restore, `facepass check`): the backend's own
// integrity and references, no binding to a missing/deleted face or deleted
// group, well-formed faces, each group's change log contiguous up to its
// version and, where unpruned, replaying to its bindings. kQuick (every
// server start): only the bindings and the change logs' shapes.
enum class IntegrityCheck { kQuick, kFull };

class Storage {
 public:
  virtual ~Storage() = default;

  virtual FaceRepository& faces() = 0;
  virtual GroupRepository& groups() = 0;
  virtual ImageRepository& images() = 0;
  virtual RecognitionRepository& recognitions() = 0;
  virtual KeyRepository& keys() = 0;
  virtual AuditRepository& audit() = 0;
  virtual ConfigRepository& config() = 0;
  virtual DeviceRepository& devices() = 0;
  virtual SecretRepository& secret() = 0;

  // The catalogue's log when several processes may write it (PostgreSQL);
  // nullptr when this process is the only writer (SQLite).
  virtual CatalogLog* catalog_log() { return nullptr; }
  // Installation-wide locks for background tasks when several processes
  // share the store; nullptr when this process is the only one.
  virtual TaskLocks* task_locks() { return nullptr; }

  // Corruption with the first problem found.
  virtual Status CheckIntegrity(IntegrityCheck depth) = 0;
};

}  // namespace facepass::domain
