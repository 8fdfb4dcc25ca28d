# All dependencies are Debian packages installed by scripts/install-deps.sh.
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(SQLiteCpp REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(fmt REQUIRED)        # restinio's config uses fmt without finding it
find_package(spdlog REQUIRED)
find_package(restinio REQUIRED)
find_package(CLI11 REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(CURL REQUIRED)
find_package(hwy QUIET)
find_package(OpenMP QUIET)    # faiss's CMake target needs OpenMP::OpenMP_CXX
find_package(faiss QUIET)

# Debian's per-module OpenCV -dev packages ship no CMake config (only libopencv-dev,
# ~835 MB, does), so the modules we use are found directly.
find_path(OPENCV_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4 REQUIRED)
add_library(fp_opencv INTERFACE)
target_include_directories(fp_opencv SYSTEM INTERFACE ${OPENCV_INCLUDE_DIR})
foreach(mod core imgproc imgcodecs dnn calib3d)
  find_library(OPENCV_${mod}_LIB opencv_${mod} REQUIRED)
  target_link_libraries(fp_opencv INTERFACE ${OPENCV_${mod}_LIB})
endforeach()
