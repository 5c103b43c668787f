package datasets

import "errors"

// Sentinel errors, matched with errors.Is on any error this package returns.
var (
	// ErrNotFound means a dataset file or folder does not exist where it was
	// looked for.
	ErrNotFound = errors.New("dataset not found")
	// ErrFormat means a dataset file exists but its content is malformed:
	// wrong magic number, truncated, inconsistent counts, labels out of
	// range, undecodable images and the like.
	ErrFormat = errors.New("malformed dataset file")
	// ErrConfig means a parameter passed to this package is invalid.
	ErrConfig = errors.New("invalid dataset configuration")
)

// FileError reports a problem with one dataset file: which file, what was
// wrong with it, and what to do about it.
type FileError struct {
	// Path is the file or folder; for a member of an archive it is
	// "archive.tar.gz!member/path".
	Path string
	// Problem says what was wrong, e.g. "truncated: header says 60000
	// images of 28×28 but the file holds 1234 bytes of pixels".
	Problem string
	// Fix tells the user how to repair it; may be empty.
	Fix string
	// Kind is ErrNotFound or ErrFormat.
	Kind error
	// Err is the underlying cause (an *os.PathError, a decoder error…), or nil.
	Err error
}

// Error formats the error as "datasets: PATH: PROBLEM[: CAUSE][; FIX]".
func (e *FileError) Error() string {
	s := "datasets: " + e.Path + ": " + e.Problem
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	return s
}

// Unwrap returns Kind and Err, so errors.Is matches both the sentinel and
// the underlying cause (for example fs.ErrNotExist).
func (e *FileError) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// formatError returns a *FileError of kind ErrFormat.
func formatError(path, problem, fix string, cause error) error {
	return &FileError{Path: path, Problem: problem, Fix: fix, Kind: ErrFormat, Err: cause}
}

// notFoundError returns a *FileError of kind ErrNotFound.
func notFoundError(path, problem, fix string, cause error) error {
	return &FileError{Path: path, Problem: problem, Fix: fix, Kind: ErrNotFound, Err: cause}
}
