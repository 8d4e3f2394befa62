#include "hamsam/io/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

namespace hamsam {
namespace {

/// A temporary name beside `path`: ".<name>.<16 random hex digits>.tmp" in the same folder (same filesystem, so
/// the final rename is atomic).
std::string temporary_name(const std::filesystem::path& path) {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^ (std::uint64_t(::getpid()) << 32));
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(rng()));
  std::string name(1, '.');
  name.append(path.filename().string()).append(1, '.').append(hex).append(".tmp");
  std::filesystem::path tmp = path;
  tmp.replace_filename(name);
  return tmp.string();
}

bool write_all(int fd, std::string_view bytes) {
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

void sync_folder(const std::filesystem::path& path) {
  std::filesystem::path folder = path.parent_path();
  if (folder.empty()) folder = ".";
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);  // best effort: the rename is durable once the folder is synced
    ::close(fd);
  }
}

PathExistsError exists_error(const std::string& path, const std::string& what) {
  return PathExistsError(what + ": '" + path + "' already exists: choose another path or allow overwriting");
}

}  // namespace

void check_output_path(const std::string& path, bool overwrite, const std::string& what) {
  require(!path.empty(), what + ": the output path is empty: give a file name");
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    require(!S_ISDIR(st.st_mode), what + ": '" + path + "' is a directory: give a file name");
    if (!overwrite) throw exists_error(path, what);
  }
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (folder.empty()) folder = ".";
  if (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw Error(what + ": cannot write '" + path + "': its folder '" + folder.string() +
                "' does not exist (create it first)");
  if (::access(folder.c_str(), W_OK | X_OK) != 0)
    throw Error(what + ": cannot write '" + path + "': its folder '" + folder.string() + "' is not writable (" +
                std::strerror(errno) + ")");
}

void write_file(const std::string& path, std::string_view bytes, bool overwrite, const std::string& what) {
  check_output_path(path, overwrite, what);
  struct stat st {};
  const std::filesystem::path target(path);
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmp = temporary_name(target);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0)
    throw Error(what + ": cannot write '" + path + "': " + std::strerror(errno) +
                " (check that the folder exists and is writable)");
  auto fail = [&](const std::string& message) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw Error(message);
  };
  if (!write_all(fd, bytes) || ::fsync(fd) != 0)
    fail(what + ": writing '" + path + "' failed: " + std::strerror(errno) + " (disk full?)");
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) fail(what + ": writing '" + path + "' failed: " + std::strerror(errno) + " (disk full?)");
  if (!overwrite) {
    // link() fails if the target exists, even one created since the check above; filesystems without hard
    // links fall back to rename after one more check.
    if (::link(tmp.c_str(), path.c_str()) == 0) {
      ::unlink(tmp.c_str());
      sync_folder(target);
      return;
    }
    if (errno == EEXIST) {
      ::unlink(tmp.c_str());
      throw exists_error(path, what);
    }
    if (::lstat(path.c_str(), &st) == 0) {
      ::unlink(tmp.c_str());
      throw exists_error(path, what);
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail(what + ": cannot write '" + path + "': " + std::strerror(errno));
  sync_folder(target);
}

}  // namespace hamsam
