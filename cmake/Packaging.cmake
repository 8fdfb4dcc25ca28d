# `cpack -G DEB` in the build dir: facepass_<version>_amd64.deb (server, unit, config) and
# facepass-models_<version>_amd64.deb (./models as fetched by scripts/fetch-models.sh).
# Included at the end of the top-level CMakeLists.txt, after the targets exist.
if(NOT TARGET facepass OR NOT TARGET facepass-device)
  return()
endif()

set(FP_PKG ${CMAKE_SOURCE_DIR}/packaging)

install(TARGETS facepass facepass-device RUNTIME DESTINATION bin COMPONENT server)
# Absolute paths: the config and unit live outside the /usr prefix.
install(FILES ${FP_PKG}/facepass.conf DESTINATION /etc/facepass COMPONENT server)
install(FILES ${FP_PKG}/facepass.service DESTINATION /usr/lib/systemd/system COMPONENT server)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION share/doc/facepass COMPONENT server)
# The web UI, once it exists.
if(EXISTS ${CMAKE_SOURCE_DIR}/web)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/web/ DESTINATION share/facepass/web COMPONENT server)
endif()
# ONNX Runtime's library (scripts/fetch-onnxruntime.sh): the installed binary dlopens it
# from ../lib/facepass/ (vision/runtime.cc) and falls back to OpenCV without it.
if(FACEPASS_ONNXRUNTIME_LIBRARY AND EXISTS "${FACEPASS_ONNXRUNTIME_LIBRARY}")
  install(FILES ${FACEPASS_ONNXRUNTIME_LIBRARY} DESTINATION lib/facepass COMPONENT server)
  install(FILES ${FACEPASS_ONNXRUNTIME_DIR}/LICENSE DESTINATION share/doc/facepass RENAME onnxruntime.LICENSE
          COMPONENT server)
endif()
set(FP_COMPONENTS server)
# The models only when fetched at configure time; reference/ is test data of the converter.
if(EXISTS ${CMAKE_SOURCE_DIR}/models/models.json)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/models/ DESTINATION share/facepass/models COMPONENT models
          FILES_MATCHING PATTERN "*.onnx" PATTERN "*.json" PATTERN "reference" EXCLUDE)
  list(APPEND FP_COMPONENTS models)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME facepass)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "FacePass maintainers <facepass@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "FacePass face recognition server")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL ${FP_COMPONENTS})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
# gzip: the models are already dense and xz costs tens of seconds on them.
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
# RelWithDebInfo binaries are ~100 MB with their debug info; the package ships them stripped.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME facepass)
set(CPACK_DEBIAN_SERVER_DESCRIPTION "FacePass face recognition server\n The facepass server and CLI, facepass-device, a hardened systemd unit and /etc/facepass/facepass.conf.")
# Runtime libraries from dpkg-shlibdeps; adduser for the postinst's system user.
set(CPACK_DEBIAN_SERVER_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_SERVER_PACKAGE_SUGGESTS "facepass-models")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    ${FP_PKG}/debian/postinst ${FP_PKG}/debian/prerm ${FP_PKG}/debian/postrm ${FP_PKG}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_MODELS_PACKAGE_NAME facepass-models)
set(CPACK_DEBIAN_MODELS_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_MODELS_DESCRIPTION "FacePass face models (ONNX)\n The detector, landmark, embedder and liveness models in /usr/share/facepass/models.")
include(CPack)

add_test(NAME debian_package
         COMMAND ${FP_PKG}/test_package.sh ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR} "${FACEPASS_ONNXRUNTIME_LIBRARY}")
set_tests_properties(debian_package PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
if(FACEPASS_SANITIZE)
  # cpack and shlibdeps over a Debug build with instrumentation take many minutes, for a package nobody ships.
  set_tests_properties(debian_package PROPERTIES ENVIRONMENT "FACEPASS_PACKAGE_SKIP=a ${FACEPASS_SANITIZE} sanitizer build is not packaged")
endif()
