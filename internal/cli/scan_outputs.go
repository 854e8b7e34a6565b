package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/rootguard/rootguard/internal/report"
)

// defaultOutputName names each file of scan --output-dir, timestamped as
// Prowler names its outputs.
const defaultOutputName = "rootguard-{{.Timestamp}}.{{.Ext}}"

// formatExt is the file extension of each report format under --output-dir.
var formatExt = map[string]string{
	"table":    "txt",
	"json":     "json",
	"csv":      "csv",
	"markdown": "md",
	"html":     "html",
	"asff":     "asff.json",
	"ocsf":     "ocsf.json",
}

// outputNameData is what an --output-name template sees.
type outputNameData struct {
	Timestamp string // the scan's time in UTC, e.g. 20261206T221500Z
	Format    string // the format's name, e.g. ocsf
	Ext       string // the format's extension, e.g. ocsf.json
}

// formats is --format split at commas.
func (o *ScanOptions) formats() []string {
	return strings.Split(o.Format, ",")
}

// validateOutputs checks --format, --output, --output-dir and --output-name
// together: several formats need --output-dir, and the names the template
// gives them must be distinct plain file names.
func (o *ScanOptions) validateOutputs() error {
	fs := o.formats()
	for i, f := range fs {
		if !slices.Contains(report.Formats, f) {
			return usageError("--format %q: want one or more of %s, separated by commas", f, strings.Join(report.Formats, ", "))
		}
		if slices.Contains(fs[:i], f) {
			return usageError("--format names %s twice", f)
		}
	}
	if o.OutputDir == "" {
		if len(fs) > 1 {
			return usageError("--format %s names several formats: give --output-dir DIR to write one file for each", o.Format)
		}
		return nil
	}
	if o.Output != "" {
		return usageError("--output and --output-dir exclude each other")
	}
	seen := map[string]string{}
	for _, f := range fs {
		name, err := o.outputName(f, time.Time{})
		if err != nil {
			return err
		}
		if prev, ok := seen[name]; ok {
			return usageError("--output-name %q gives %s and %s the same name %q (use {{.Ext}} or {{.Format}})", o.OutputName, prev, f, name)
		}
		seen[name] = f
	}
	return nil
}

// outputName is the file name --output-name gives the report in format.
func (o *ScanOptions) outputName(format string, at time.Time) (string, error) {
	t, err := template.New("output-name").Option("missingkey=error").Parse(o.OutputName)
	if err != nil {
		return "", usageError("--output-name %q: %v", o.OutputName, err)
	}
	var b strings.Builder
	data := outputNameData{Timestamp: at.UTC().Format("20060102T150405Z"), Format: format, Ext: formatExt[format]}
	if err := t.Execute(&b, data); err != nil {
		return "", usageError("--output-name %q: %v", o.OutputName, err)
	}
	name := b.String()
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || strings.ContainsRune(name, 0) {
		return "", usageError("--output-name %q gives %q, which is not a file name", o.OutputName, name)
	}
	return name, nil
}

// writeReportOutput writes rep in the one --format to --output or stdout.
func writeReportOutput(e *env, o *ScanOptions, rep *report.Report) error {
	w, closeOut, err := openOutput(e.stdout, o.Output)
	if err != nil {
		return err
	}
	opts := report.Options{Verbose: o.Verbose, Color: o.Output == "" && e.colorOn(e.stdout), Region: o.Source.Region}
	if o.Output == "" {
		opts.Width = terminalWidth(e.stdout)
	}
	if err := report.Write(w, o.Format, rep, opts); err != nil {
		closeOut()
		return fmt.Errorf("write report: %w", err)
	}
	return closeOut()
}

// writeReportFiles writes rep once per format into --output-dir (created
// 0700 if missing), each file created 0600 through createPrivate, and names
// each file it wrote on stderr.
func writeReportFiles(e *env, o *ScanOptions, rep *report.Report, opts report.Options, at time.Time) error {
	if err := os.MkdirAll(o.OutputDir, 0o700); err != nil {
		return fmt.Errorf("--output-dir: %w", err)
	}
	for _, format := range o.formats() {
		name, err := o.outputName(format, at)
		if err != nil {
			return err
		}
		path := filepath.Join(o.OutputDir, name)
		f, err := createPrivate(path)
		if err != nil {
			return fmt.Errorf("output: %w", err)
		}
		err = report.Write(f, format, rep, opts)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write %s report %s: %w", format, path, err)
		}
		fmt.Fprintln(e.stderr, "wrote "+path)
	}
	return nil
}
