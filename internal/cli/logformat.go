package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
)

// newLogger returns the logger on w in the --log-format asked for.
func newLogger(w io.Writer, format string, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError("--log-format must be text or json, not %q", format)
}

// jsonLines is stderr under --log-format json: each line a command writes
// for people (totals, "wrote FILE", the final error) becomes one JSON log
// record, so that stderr holds only JSON lines. It is not a terminal, so
// progress redraws are off.
type jsonLines struct {
	log     *slog.Logger
	level   slog.Level
	pending []byte
}

func newJSONLines(w io.Writer) *jsonLines {
	return &jsonLines{log: slog.New(slog.NewJSONHandler(w, nil)), level: slog.LevelInfo}
}

func (j *jsonLines) Write(p []byte) (int, error) {
	j.pending = append(j.pending, p...)
	for {
		i := bytes.IndexByte(j.pending, '\n')
		if i < 0 {
			return len(p), nil
		}
		j.emit(string(j.pending[:i]))
		j.pending = j.pending[i+1:]
	}
}

// flush writes a last line that has no newline.
func (j *jsonLines) flush() {
	if len(j.pending) > 0 {
		j.emit(string(j.pending))
		j.pending = nil
	}
}

func (j *jsonLines) emit(line string) {
	if line = strings.TrimSpace(strings.TrimLeft(line, "\r")); line != "" {
		j.log.Log(context.Background(), j.level, line)
	}
}
