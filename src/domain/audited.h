// How a change and its audit row commit together (issue 27).
//
// Every mutating repository call that an audited endpoint makes (face add and
// delete, group create/delete/bind/unbind, config update, key create and
// revoke) takes an optional audit argument and writes that row in the SAME
// transaction as the change: both commit or neither does, with one commit.
//
// Chosen over a transaction object handed to the caller: a unit of work that
// spans calls would hold the SQLite connection's lock (or a PostgreSQL
// connection) across arbitrary caller code, and every backend call would need
// a "within a transaction" twin. Here each call stays one short transaction.
//
// The row may depend on the outcome (face add records the new face's token,
// which only exists once the id does), so for a call returning Result<T> the
// argument is a function of T, run inside the transaction after the change
// succeeded. It must not call back into the store. An empty function writes
// no row. Calls returning Status take the row itself. A refused or failed
// change writes nothing here: its caller appends the failure row on its own.
#pragma once

#include <functional>
#include <optional>

#include "domain/auth_types.h"

namespace facepass::domain {

template <typename Outcome>
using AuditOf = std::function<AuditRecord(const Outcome&)>;

using AuditRow = std::optional<AuditRecord>;

// What a service is handed by its caller (the API's audit trail) and passes
// on to the repository: the row of a change that does not depend on its
// outcome. Called inside the transaction, or just before a call that takes
// the row itself; empty: no row.
using AuditHook = std::function<AuditRecord()>;

// The hook as the argument of a repository call returning Result<Outcome>.
template <typename Outcome>
AuditOf<Outcome> AuditFor(const AuditHook& hook) {
  if (!hook) return {};
  return [&hook](const Outcome&) { return hook(); };
}

// The hook as the argument of a call that takes the row itself.
inline AuditRow AuditRowOf(const AuditHook& hook) { return hook ? AuditRow(hook()) : std::nullopt; }

}  // namespace facepass::domain
