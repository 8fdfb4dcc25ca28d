#include "store/data_check.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <string>
#include <system_error>

#include "store/database.h"

namespace facepass::store {

namespace fs = std::filesystem;

Result<DataCheckStats> CheckDataDir(const fs::path& data_dir) {
  const fs::path db_file = data_dir / "facepass.db";
  if (!fs::is_regular_file(db_file)) return Status::NotFound("no facepass.db in " + data_dir.string());
  {
    FP_ASSIGN_OR_RETURN(auto db, Database::Open(db_file));
    FP_RETURN_IF_ERROR(db->CheckIntegrity(Database::Check::kFull));
  }
  DataCheckStats stats;
  try {
    SQLite::Database db(db_file.string(), SQLite::OPEN_READONLY);
    stats.faces = db.execAndGet("SELECT COUNT(*) FROM faces").getInt64();
    // A face's original must be whole: the file is written and fsynced before its row.
    SQLite::Statement st(db,
                         "SELECT DISTINCT i.id, i.path, i.size FROM faces f JOIN images i ON i.id = f.image_id "
                         "ORDER BY i.id");
    while (st.executeStep()) {
      const int64_t id = st.getColumn(0).getInt64();
      const fs::path file = data_dir / "images" / st.getColumn(1).getString();
      std::error_code ec;
      const auto size = fs::file_size(file, ec);
      if (ec) return Status::Corruption("image " + std::to_string(id) + " of a face: " + file.string() + ": " + ec.message());
      if (static_cast<int64_t>(size) != st.getColumn(2).getInt64()) {
        return Status::Corruption("image " + std::to_string(id) + ": " + file.string() + " has " +
                                  std::to_string(size) + " bytes, the row says " + st.getColumn(2).getString());
      }
      ++stats.images;
    }
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("check: ") + e.what());
  }
  return stats;
}

}  // namespace facepass::store
