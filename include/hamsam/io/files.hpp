#pragma once
// Writing files safely: every write goes to an exclusively created temporary file beside the target (a fresh
// random name, never following links), is synced, then renamed onto the target, so a failed or interrupted write
// never leaves a partial file; an existing file is replaced only when the caller allows it.
#include <string>
#include <string_view>

#include "hamsam/error.hpp"

namespace hamsam {

/// The target exists and overwriting was not allowed. The message says so without naming how to allow it:
/// callers add their own words (the CLI "--force", Python "overwrite=True").
class PathExistsError : public Error {
 public:
  using Error::Error;
};

/// Checks, before any work starts, that `path` can be written: not empty, not a directory, its folder exists and
/// is writable, and (unless `overwrite`) no file of that name exists (PathExistsError). Throws with messages that
/// start with `what`. write_file makes the same checks again when it writes.
void check_output_path(const std::string& path, bool overwrite, const std::string& what = "save");

/// Writes `bytes` to `path` as above. Throws PathExistsError if `path` exists and `overwrite` is false (also when
/// it appears meanwhile: of two writers racing to create one new file exactly one succeeds), hamsam::Error if
/// `path` is empty or a directory or cannot be written. Messages start with `what` (e.g. "save"). Only `path` and
/// the temporary file are ever touched; a link at `path` is replaced by the file, its target is left alone.
void write_file(const std::string& path, std::string_view bytes, bool overwrite, const std::string& what = "save");

}  // namespace hamsam
