package trail

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/detect"
)

// Input is one stream of CloudTrail data: a file, an S3 object or stdin.
type Input interface {
	// Name is how reports refer to the input (a path or s3://bucket/key).
	Name() string
	Open(ctx context.Context) (io.ReadCloser, error)
}

// Item is one step of an input listing: an input to read, or an input left
// out on purpose (Skip) or that could not be listed (Fail).
type Item struct {
	Input Input
	Skip  *Problem
	Fail  *Problem
}

// Problem names an input and why it was skipped or could not be read.
type Problem struct {
	Input  string `json:"input"`
	Reason string `json:"reason"`
}

// Window is a half-open time range [Since, Until); a zero bound is open.
// Here it prunes inputs by their date folders; detect.Window, the same
// range, keeps records by their eventTime.
type Window struct {
	Since, Until time.Time
}

// Bounded reports whether either bound is set.
func (w Window) Bounded() bool { return !w.Since.IsZero() || !w.Until.IsZero() }

// DeliverySlack is how long after an event CloudTrail may deliver it. A
// date folder holds the files delivered that day (UTC), so its events lie
// in [day - DeliverySlack, day + 24h).
const DeliverySlack = detect.DeliverySlack

// folderDate finds the CloudTrail date folders in a slash-separated path
// (".../CloudTrail/<region>/YYYY/MM/DD/...") and returns the time span its
// known parts cover. ok is false when the path has no such parts.
func folderDate(p string) (from, to time.Time, ok bool) {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if s != "CloudTrail" && s != "CloudTrail-Insight" {
			continue
		}
		date := segs[min(i+2, len(segs)):]
		var parts []int
		for _, d := range date[:min(3, len(date))] {
			n, err := strconv.Atoi(d)
			if err != nil {
				break
			}
			parts = append(parts, n)
		}
		switch len(parts) {
		case 0:
			return time.Time{}, time.Time{}, false
		case 1:
			from = time.Date(parts[0], 1, 1, 0, 0, 0, 0, time.UTC)
			to = from.AddDate(1, 0, 0)
		case 2:
			from = time.Date(parts[0], time.Month(parts[1]), 1, 0, 0, 0, 0, time.UTC)
			to = from.AddDate(0, 1, 0)
		default:
			from = time.Date(parts[0], time.Month(parts[1]), parts[2], 0, 0, 0, 0, time.UTC)
			to = from.AddDate(0, 0, 1)
		}
		return from, to, true
	}
	return time.Time{}, time.Time{}, false
}

// outside reports whether every event under the date folders of p lies
// outside w, so p need not be listed or read.
func (w Window) outside(p string) bool {
	if !w.Bounded() {
		return false
	}
	from, to, ok := folderDate(p)
	if !ok {
		return false
	}
	from = from.Add(-DeliverySlack)
	if !w.Since.IsZero() && !to.After(w.Since) {
		return true
	}
	return !w.Until.IsZero() && !from.Before(w.Until)
}

// isDigest reports a CloudTrail digest path (integrity files, not records).
func isDigest(p string) bool {
	return strings.Contains(p, "/CloudTrail-Digest/") || strings.HasPrefix(p, "CloudTrail-Digest/") || strings.HasSuffix(p, "/CloudTrail-Digest")
}

// fileInput is a local file.
type fileInput string

func (f fileInput) Name() string { return string(f) }

func (f fileInput) Open(context.Context) (io.ReadCloser, error) { return os.Open(string(f)) }

// readerInput is an already open stream such as stdin.
type readerInput struct {
	name string
	r    io.Reader
}

func (r readerInput) Name() string { return r.name }

func (r readerInput) Open(context.Context) (io.ReadCloser, error) { return io.NopCloser(r.r), nil }

// ReaderInput wraps an open stream (stdin) as an Input that can be read once.
func ReaderInput(name string, r io.Reader) Input { return readerInput{name: name, r: r} }

// Paths lists the inputs named on a command line: "-" is stdin, s3://
// URLs are listed through s3 (which is called only if such a URL is
// given), and anything else is a file or a directory walked in lexical
// order, following symbolic links (see walkLocal). Hidden files and
// CloudTrail digest folders are skipped, and so are date folders outside w.
func Paths(ctx context.Context, args []string, stdin io.Reader, w Window, s3 func(context.Context) (ObjectStore, error)) iter.Seq[Item] {
	return func(yield func(Item) bool) {
		var store ObjectStore
		for _, arg := range args {
			switch {
			case arg == "-":
				if !yield(Item{Input: ReaderInput("-", stdin)}) {
					return
				}
			case strings.HasPrefix(arg, "s3://"):
				if store == nil {
					var err error
					if store, err = s3(ctx); err != nil {
						yield(Item{Fail: &Problem{Input: arg, Reason: err.Error()}})
						return
					}
				}
				for it := range listS3(ctx, store, arg, w) {
					if !yield(it) {
						return
					}
				}
			default:
				if !walkLocal(arg, w, yield) {
					return
				}
			}
		}
	}
}

// walkLocal lists a path named on the command line: a file, or a folder tree
// in lexical order. Symbolic links are followed. A folder is listed once
// however many links lead to it (by its path with every link resolved), and
// a link back to a folder above it is a loop, reported as unreadable.
// Anything that is neither a regular file nor a folder (a named pipe, a
// socket, a device) is reported as unreadable without being opened: a named
// pipe with no writer would block the scan.
func walkLocal(root string, w Window, yield func(Item) bool) bool {
	l := &localWalker{w: w, yield: yield, seen: map[string]string{}}
	info, err := os.Stat(root)
	switch {
	case err != nil:
		return l.fail(root, unwrapPathError(err))
	case info.Mode().IsRegular():
		return yield(Item{Input: fileInput(root)})
	case !info.IsDir():
		return l.fail(root, notRegular(info.Mode()))
	}
	real, err := realPath(root)
	if err != nil {
		return l.fail(root, err.Error())
	}
	cont := l.dir(root, real, "")
	if cont && l.skipped > 0 {
		cont = yield(Item{Skip: &Problem{Input: root, Reason: fmt.Sprintf("%d date folders or files outside --since/--until", l.skipped)}})
	}
	return cont
}

// localWalker is the state of one walkLocal.
type localWalker struct {
	w       Window
	yield   func(Item) bool
	seen    map[string]string // real path of each folder listed → the path it was listed under
	skipped int               // date folders and files outside w
}

func (l *localWalker) fail(p, reason string) bool {
	return l.yield(Item{Fail: &Problem{Input: p, Reason: reason}})
}

// dir lists folder p, whose real path is real, found in the folder whose
// real path is parent ("" for the root). It returns false when yield did.
func (l *localWalker) dir(p, real, parent string) bool {
	if first, ok := l.seen[real]; ok {
		if parent != "" && within(parent, real) {
			return l.fail(p, "symbolic link loop: leads back to "+first)
		}
		return l.yield(Item{Skip: &Problem{Input: p, Reason: "the same folder as " + first + ", listed once"}})
	}
	l.seen[real] = p
	entries, err := os.ReadDir(p)
	if err != nil && !l.fail(p, unwrapPathError(err)) {
		return false
	}
	for _, d := range entries { // what ReadDir read before an error too
		name := d.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		q := filepath.Join(p, name)
		mode, sub := d.Type(), filepath.Join(real, name)
		if mode&fs.ModeSymlink != 0 {
			info, err := os.Stat(q)
			if err == nil && info.IsDir() {
				sub, err = realPath(q)
			}
			if err != nil {
				if !l.fail(q, unwrapPathError(err)) {
					return false
				}
				continue
			}
			mode = info.Mode()
		}
		slash := filepath.ToSlash(q)
		cont := true
		switch {
		case mode.IsDir() && name == "CloudTrail-Digest":
		case mode.IsDir() && l.w.outside(slash+"/"), mode.IsRegular() && l.w.outside(slash):
			l.skipped++
		case mode.IsDir():
			cont = l.dir(q, sub, real)
		case mode.IsRegular():
			cont = l.yield(Item{Input: fileInput(q)})
		default:
			cont = l.fail(q, notRegular(mode))
		}
		if !cont {
			return false
		}
	}
	return true
}

// realPath is p absolute, with every symbolic link resolved.
func realPath(p string) (string, error) {
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return filepath.Abs(r)
}

// within reports whether real path p is dir or inside it.
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// notRegular says what a file that is neither regular nor a folder is.
func notRegular(m fs.FileMode) string {
	kind := "mode " + m.Type().String()
	switch {
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	}
	return "not a regular file (" + kind + "), not opened"
}

// unwrapPathError drops the path from an fs.PathError (the caller names the
// input already).
func unwrapPathError(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}
