#include "store/database.h"

#include <SQLiteCpp/SQLiteCpp.h>

namespace facepass::store {
namespace {
Status Todo() { return Status::Internal("todo"); }
}  // namespace

Database::Database(std::unique_ptr<SQLite::Database> db, const Options& options)
    : db_(std::move(db)), options_(options) {}
Database::~Database() = default;
Result<std::unique_ptr<Database>> Database::Open(const std::filesystem::path& file) { return Open(file, Options()); }
Result<std::unique_ptr<Database>> Database::Open(const std::filesystem::path&, const Options&) { return Todo(); }
Result<int64_t> Database::InsertImage(ImageKind, const std::string&, const std::string&, int64_t, int, int, int64_t) { return Todo(); }
Result<ImageRecord> Database::GetImage(int64_t) { return Todo(); }
Result<std::vector<ImageRecord>> Database::CapturesOlderThan(int64_t, int) { return Todo(); }
Status Database::DeleteImage(int64_t) { return Todo(); }
Result<int64_t> Database::InsertFace(int64_t, const Rect&, int64_t, std::span<const float>) { return Todo(); }
Result<FaceRecord> Database::GetFace(int64_t) { return Todo(); }
Result<std::vector<int64_t>> Database::DeleteFace(int64_t, int64_t) { return Todo(); }
Result<GroupRecord> Database::CreateGroup(const std::string&, int64_t) { return Todo(); }
Result<GroupRecord> Database::DeleteGroup(const std::string&, int64_t) { return Todo(); }
Result<GroupRecord> Database::GetGroupByName(const std::string&) { return Todo(); }
Result<GroupRecord> Database::GetGroupById(int64_t) { return Todo(); }
Result<std::vector<std::string>> Database::ListGroupNames() { return Todo(); }
Result<std::vector<GroupRecord>> Database::ListGroups() { return Todo(); }
Result<std::vector<int64_t>> Database::GroupFaceIds(int64_t) { return Todo(); }
Result<bool> Database::Bind(int64_t, int64_t, int64_t) { return Todo(); }
Result<int64_t> Database::Unbind(int64_t, int64_t, int64_t) { return Todo(); }
Result<std::optional<std::vector<GroupChange>>> Database::ChangesSince(int64_t, int64_t) { return Todo(); }
Result<std::vector<std::pair<int64_t, std::vector<float>>>> Database::FeaturesOf(const std::vector<int64_t>&) { return Todo(); }
Result<GroupDelta> Database::SyncDelta(int64_t, int64_t) { return Todo(); }
Status Database::ForEachBinding(const std::function<void(int64_t, int64_t, std::span<const float>)>&) { return Todo(); }
Result<std::map<std::string, double>> Database::LoadConfig() { return Todo(); }
Status Database::SaveConfig(const std::map<std::string, double>&) { return Todo(); }
Status Database::UpsertDevice(const DeviceRecord&) { return Todo(); }
Result<std::vector<DeviceRecord>> Database::ListDevices() { return Todo(); }
Status Database::CheckIntegrity() { return Todo(); }

}  // namespace facepass::store
