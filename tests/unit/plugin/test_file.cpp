#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "plugin/error.hpp"
#include "plugin/file.hpp"

using anycast::InputError;
using anycast::plugin::read_input_file;
using anycast::plugin::read_regular_file;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        std::string pattern = "/tmp/anycast-file-test.XXXXXX";
        path = ::mkdtemp(pattern.data());
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(file)

BOOST_AUTO_TEST_CASE(reads_a_regular_file_whole) {
    TempDir dir;
    const std::string path = dir.path + "/sites";
    std::ofstream(path) << "ams1 192.0.2.1\nlhr1 192.0.2.2\n";
    const auto contents = read_regular_file(path);
    BOOST_REQUIRE(contents.text);
    BOOST_TEST(*contents.text == "ams1 192.0.2.1\nlhr1 192.0.2.2\n");
}

BOOST_AUTO_TEST_CASE(a_fifo_is_refused_at_once_instead_of_blocking) {
    TempDir dir;
    const std::string path = dir.path + "/fifo";
    BOOST_REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    const auto contents = read_regular_file(path);
    BOOST_REQUIRE(contents.error);
    BOOST_TEST(contents.error->message == "is a FIFO, not a regular file");
}

BOOST_AUTO_TEST_CASE(devices_and_directories_are_refused) {
    BOOST_TEST(read_regular_file("/dev/zero").error->message == "is a character device, not a regular file");
    BOOST_TEST(read_regular_file("/tmp").error->message == "is a directory, not a regular file");
}

BOOST_AUTO_TEST_CASE(missing_is_told_apart) {
    const auto contents = read_regular_file("/nonexistent/anycast/file");
    BOOST_REQUIRE(contents.error);
    BOOST_TEST(contents.error->missing);
}

BOOST_AUTO_TEST_CASE(oversized_is_an_error_not_a_cut) {
    TempDir dir;
    const std::string path = dir.path + "/big";
    std::ofstream(path) << std::string(2048, 'x');
    const auto contents = read_regular_file(path, 1024);
    BOOST_REQUIRE(contents.error);
    BOOST_TEST(contents.error->message == "larger than 1 KiB");
}

BOOST_AUTO_TEST_CASE(input_file_errors_name_what_and_path) {
    try {
        read_input_file("/dev/null", "sites file");
        BOOST_FAIL("read /dev/null");
    } catch (const InputError& error) {
        BOOST_TEST(std::string(error.what()) ==
                   "sites file /dev/null: is a character device, not a regular file");
    }
}

BOOST_AUTO_TEST_SUITE_END()
