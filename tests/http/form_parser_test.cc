#include "http/form_parser.h"

#include <gtest/gtest.h>

#include "http/body_parser.h"
#include "http/envelope.h"

namespace facepass::http {
namespace {

TEST(MediaTypeTest, TypeAndParams) {
  MediaType mt = ParseMediaType("Multipart/Form-Data; boundary=\"ab;c\" ; charset=UTF-8");
  EXPECT_EQ(mt.type, "multipart/form-data");
  ASSERT_NE(mt.Param("boundary"), nullptr);
  EXPECT_EQ(*mt.Param("boundary"), "ab;c");
  EXPECT_EQ(*mt.Param("charset"), "UTF-8");
  EXPECT_EQ(ParseMediaType("").type, "");
  EXPECT_EQ(ParseMediaType("application/json").type, "application/json");
}

TEST(PercentDecodeTest, Basics) {
  EXPECT_EQ(PercentDecode("a%20b+c", false), "a b+c");
  EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(PercentDecode("%E4%B8%AD", false), "\xE4\xB8\xAD");
  EXPECT_EQ(PercentDecode("100%", false), "100%");
  EXPECT_EQ(PercentDecode("%zz%4", false), "%zz%4");
}

TEST(UrlEncodedTest, OrderAndDecoding) {
  Pairs p = ParseUrlEncoded("a=1&b=hello+world&&c&d=&a=%3D%3D");
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[0], (std::pair<std::string, std::string>("a", "1")));
  EXPECT_EQ(p[1].second, "hello world");
  EXPECT_EQ(p[2], (std::pair<std::string, std::string>("c", "")));
  EXPECT_EQ(p[3], (std::pair<std::string, std::string>("d", "")));
  EXPECT_EQ(p[4].second, "==");
  EXPECT_TRUE(ParseUrlEncoded("").empty());
}

std::string Body(std::initializer_list<std::string> parts, const std::string& b, bool close = true) {
  std::string s;
  for (const std::string& p : parts) s += "--" + b + "\r\n" + p + "\r\n";
  if (close) s += "--" + b + "--\r\n";
  return s;
}

TEST(MultipartTest, FieldsAndFilesInOrder) {
  std::string bin("\x00\x01\r\n--X\r\n\xff", 9);
  std::string body = "preamble\r\n" +
                     Body({"Content-Disposition: form-data; name=\"a\"\r\n\r\n1",
                           "Content-Disposition: form-data; name=\"img\"; filename=\"x.jpg\"\r\n"
                           "Content-Type: image/jpeg\r\n\r\n" + bin,
                           "content-disposition: form-data; name=\"b\"\r\nContent-Type: text/plain\r\n\r\ntwo",
                           "Content-Disposition: form-data; name=\"raw\"\r\nContent-Type: image/png\r\n\r\nPNG",
                           "Content-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n\r\n",
                           "Content-Disposition: form-data; name=\"j\"\r\nContent-Type: application/json\r\n\r\n{}",
                           "Content-Disposition: form-data; name=\"u\"; filename*=UTF-8''%E4%B8%AD.png\r\n\r\nU"},
                          "XyZ") + "epilogue";
  Pairs form;
  std::vector<FilePart> files;
  ASSERT_TRUE(ParseMultipart(body, "XyZ", &form, &files).ok());
  ASSERT_EQ(form.size(), 3u);
  EXPECT_EQ(form[0], (std::pair<std::string, std::string>("a", "1")));
  EXPECT_EQ(form[1], (std::pair<std::string, std::string>("b", "two")));
  EXPECT_EQ(form[2], (std::pair<std::string, std::string>("j", "{}")));
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0].field_name, "img");
  EXPECT_EQ(files[0].filename, "x.jpg");
  EXPECT_EQ(files[0].content_type, "image/jpeg");
  EXPECT_EQ(files[0].data, bin);
  EXPECT_EQ(files[1].field_name, "raw");
  EXPECT_EQ(files[1].filename, "");
  EXPECT_EQ(files[1].data, "PNG");
  EXPECT_EQ(files[2].field_name, "empty");
  EXPECT_EQ(files[2].data, "");
  EXPECT_EQ(files[3].filename, "\xE4\xB8\xAD.png");
}

TEST(MultipartTest, EmptyFormIsValid) {
  Pairs form;
  std::vector<FilePart> files;
  EXPECT_TRUE(ParseMultipart("--b--\r\n", "b", &form, &files).ok());
  EXPECT_TRUE(form.empty());
  EXPECT_TRUE(files.empty());
}

TEST(MultipartTest, BrokenBodies) {
  Pairs form;
  std::vector<FilePart> files;
  const std::string part = "Content-Disposition: form-data; name=\"a\"\r\n\r\n1";
  EXPECT_FALSE(ParseMultipart(Body({part}, "b", /*close=*/false), "b", &form, &files).ok());  // no close
  EXPECT_FALSE(ParseMultipart(Body({part}, "b"), "other", &form, &files).ok());  // wrong boundary
  EXPECT_FALSE(ParseMultipart(Body({part}, "b"), "", &form, &files).ok());       // no boundary
  EXPECT_FALSE(ParseMultipart("", "b", &form, &files).ok());                     // empty
  EXPECT_FALSE(ParseMultipart("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n", "b", &form, &files).ok());
  EXPECT_FALSE(ParseMultipart("--b\r\nno colon here\r\n\r\nx\r\n--b--", "b", &form, &files).ok());
  EXPECT_FALSE(ParseMultipart("--bjunk\r\n\r\nx\r\n--b--", "b", &form, &files).ok());
  EXPECT_FALSE(ParseMultipart(Body({part}, std::string(71, 'b')), std::string(71, 'b'), &form, &files).ok());
}

TEST(BodyParserTest, JsonRules) {
  Request r;
  r.content_type = "application/json; charset=utf-8";
  r.body = "{\"a\":1}";
  EXPECT_FALSE(ParseBody(BodyKind::kJson, &r).has_value());
  EXPECT_EQ(r.json["a"], 1);
  for (const char* bad : {"", "[1]", "3", "{", "{\"a\":}", "null"}) {
    Request q;
    q.content_type = "application/json";
    q.body = bad;
    auto err = ParseBody(BodyKind::kJson, &q);
    ASSERT_TRUE(err.has_value()) << bad;
    EXPECT_EQ(err->code, ErrorCode::kIllegalJsonBody);
  }
  Request deep;
  deep.content_type = "application/json";
  deep.body = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_TRUE(ParseBody(BodyKind::kJson, &deep).has_value());
  Request brackets_in_string;
  brackets_in_string.content_type = "application/json";
  brackets_in_string.body = "{\"a\":\"" + std::string(100, '[') + "\\\"\"}";
  EXPECT_FALSE(ParseBody(BodyKind::kJson, &brackets_in_string).has_value());
  Request t;
  t.content_type = "text/plain";
  t.body = "{}";
  EXPECT_TRUE(ParseBody(BodyKind::kJson, &t).has_value());
}

TEST(BodyParserTest, FormKinds) {
  Request u;
  u.content_type = "application/x-www-form-urlencoded";
  u.body = "x=1";
  EXPECT_FALSE(ParseBody(BodyKind::kForm, &u).has_value());
  ASSERT_EQ(u.form.size(), 1u);

  Request other;
  other.content_type = "application/json";
  other.body = "{\"x\":1}";
  EXPECT_FALSE(ParseBody(BodyKind::kForm, &other).has_value());
  EXPECT_TRUE(other.form.empty());

  Request broken;
  broken.content_type = "multipart/form-data; boundary=zz";
  broken.body = "--zz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1";
  auto err = ParseBody(BodyKind::kForm, &broken);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->code, ErrorCode::kIllegalArgument);
  EXPECT_EQ(err->message, "ILLEGAL_ARGUMENT: multipart body");
}

TEST(EnvelopeTest, OrderAndNullData) {
  ApiReply r = ApiReply::Ok(nullptr);
  HttpResponse h = BuildResponse(r, 1700000000123, 7);
  EXPECT_EQ(h.body, "{\"code\":0,\"message\":\"\",\"timestamp\":1700000000123,\"timecost\":7,\"data\":{}}");
  EXPECT_EQ(h.content_type, "application/json; charset=utf-8");
  ApiReply bad = ApiReply::Error(errors::MissingArgument("a"), {{"s", std::string("\xff")}});
  HttpResponse hb = BuildResponse(bad, 1, 2);
  EXPECT_EQ(hb.status, 400);
  EXPECT_FALSE(nlohmann::json::parse(hb.body, nullptr, false).is_discarded());
}

}  // namespace
}  // namespace facepass::http
