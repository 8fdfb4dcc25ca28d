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

# ONNX Runtime, fetched by scripts/fetch-onnxruntime.sh (npm, pinned): its C header
# at build time only; src/vision dlopens the library at start, so the binary also
# runs where it is absent (on OpenCV's DNN module). fp_onnxruntime is empty without it.
set(FACEPASS_ONNXRUNTIME_DIR "${CMAKE_SOURCE_DIR}/onnxruntime" CACHE PATH
    "ONNX Runtime as scripts/fetch-onnxruntime.sh extracts it (include/, lib/, VERSION)")
add_library(fp_onnxruntime INTERFACE)
set(FACEPASS_ONNXRUNTIME_LIBRARY "")
if(EXISTS "${FACEPASS_ONNXRUNTIME_DIR}/include/onnxruntime_c_api.h" AND EXISTS "${FACEPASS_ONNXRUNTIME_DIR}/VERSION")
  file(STRINGS "${FACEPASS_ONNXRUNTIME_DIR}/VERSION" FACEPASS_ONNXRUNTIME_VERSION LIMIT_COUNT 1)
  set(FACEPASS_ONNXRUNTIME_LIBRARY "${FACEPASS_ONNXRUNTIME_DIR}/lib/libonnxruntime.so.${FACEPASS_ONNXRUNTIME_VERSION}")
  target_include_directories(fp_onnxruntime SYSTEM INTERFACE "${FACEPASS_ONNXRUNTIME_DIR}/include")
  target_compile_definitions(fp_onnxruntime INTERFACE FACEPASS_WITH_ONNXRUNTIME
    FACEPASS_ONNXRUNTIME_LIBRARY_NAME="libonnxruntime.so.${FACEPASS_ONNXRUNTIME_VERSION}"
    FACEPASS_ONNXRUNTIME_BUILD_LIBRARY="${FACEPASS_ONNXRUNTIME_LIBRARY}")
  target_link_libraries(fp_onnxruntime INTERFACE ${CMAKE_DL_LIBS})
  message(STATUS "ONNX Runtime ${FACEPASS_ONNXRUNTIME_VERSION}: ${FACEPASS_ONNXRUNTIME_DIR}")
else()
  message(WARNING "no ONNX Runtime in ${FACEPASS_ONNXRUNTIME_DIR}: inference on OpenCV's DNN module only "
                  "(scripts/fetch-onnxruntime.sh fetches it)")
endif()
