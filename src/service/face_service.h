// Faces and their pictures: /api/face/v1/{add,delete,query}, /api/image/v1/query.
#pragma once

#include "common/api_error.h"
#include "http/request.h"
#include "service/context.h"

namespace facepass::service {

class FaceService {
 public:
  explicit FaceService(ServiceContext ctx) : ctx_(ctx) {}

  ApiReply Add(const http::Request& req);
  ApiReply Delete(const http::Request& req);
  ApiReply Query(const http::Request& req);
  ApiReply ImageQuery(const http::Request& req);

 private:
  ApiReply FaceCrop(int64_t face_id);
  ApiReply Original(int64_t image_id);

  ServiceContext ctx_;
};

// The spec's crop around a face: twice the width (centred), twice the height
// (3/5 of the growth above, 2/5 below), clipped to the image.
store::Rect CropAround(const store::Rect& face, int image_width, int image_height);

}  // namespace facepass::service
