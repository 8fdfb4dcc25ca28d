// Transitional alias, kept while src/client moves over: the catalogue is
// common/error_code.h (DomainError, errors::), ApiReply is api/reply.h.
#pragma once

#include "common/error_code.h"

namespace facepass {
using ApiError = DomainError;
namespace api_error = errors;
}  // namespace facepass
