package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rootguard/rootguard/internal/guardrail"
	"github.com/rootguard/rootguard/internal/guardrail/export"
)

// ExportFormats are the infrastructure-code formats of `rootguard export`.
var ExportFormats = []string{"terraform", "cloudformation"}

// ExportOptions are the flags and argument of `rootguard export`.
type ExportOptions struct {
	Source sourceOptions
	// Format is terraform or cloudformation.
	Format string
	// Config is the desired-guardrails YAML file; empty means the defaults.
	Config string
	// Out is a directory to write the files into, or "-" for stdout.
	Out string
	// Force overwrites files in Out that differ from the export.
	Force bool
	// outGiven is whether --out was on the command line: CloudFormation
	// needs it, and says so before collecting.
	outGiven bool
}

// DefaultExportOptions returns the defaults: stdout, default guardrails.
func DefaultExportOptions() ExportOptions {
	return ExportOptions{Out: "-"}
}

// Validate checks the options.
func (o *ExportOptions) Validate() error {
	if err := o.Source.validate(); err != nil {
		return err
	}
	if !slices.Contains(ExportFormats, o.Format) {
		return usageError("format %q: want one of %s", o.Format, strings.Join(ExportFormats, ", "))
	}
	if o.Out == "" {
		return usageError("--out: want a directory or - for stdout")
	}
	if o.Format == "cloudformation" && !o.outGiven {
		return usageError("--out: export cloudformation writes one template per stack: name a directory, or - for a single template")
	}
	return nil
}

func newExportCmd(e *env) *cobra.Command {
	o := DefaultExportOptions()
	cmd := &cobra.Command{
		Use:   "export terraform|cloudformation",
		Short: "Write the desired guardrails as Terraform or CloudFormation",
		Long: `Write the desired guardrails as infrastructure code a team can review and own:
the service control policies and their attachments, centralized root access
(Terraform), and the root-activity alerting stack (EventBridge rule in
us-east-1, SNS topic, topic policy, subscription).

Which OUs and accounts the policies attach to depends on the organization, so
export reads it like scan does: live AWS by default (--org from the management
account), --demo for the built-in demo organization, --snapshot for a saved
snapshot. --config names the desired-guardrails YAML (see
docs/guardrails.example.yaml); without it the defaults apply.

Terraform: versions.tf, providers.tf, organization.tf and alerting.tf, for the
hashicorp/aws provider, applied from the management account. CloudFormation:
JSON templates, each its own stack: rootguard-guardrails.template.json for
the management account, or rootguard-organization.template.json and
rootguard-alerting.template.json when alerting lives in another account; and,
when other accounts forward their root activity to it (forward_accounts),
rootguard-forwarding.template.json for a service-managed StackSet on the
organization's OUs. Member root credential removal and missing alternate
contacts have no IaC form: use rootguard plan and rootguard apply. Gaps are
written as comments (Terraform) or in Metadata (CloudFormation).

--out DIR writes the files into DIR (created if missing) and refuses to
overwrite a file that differs unless --force; --out - (the default for
Terraform) writes them to stdout (Terraform files concatenated, which Terraform
reads as one module). CloudFormation needs --out, checked before collecting:
--out - only for an export of one template.

Exit codes: 0 written, 2 usage error (CloudFormation without --out, or
several templates to stdout, included), 3 the export could not run (a file
in --out differs and no --force, unreadable config, collection failed).`,
		Example: `  rootguard export terraform --demo
  rootguard export terraform --org --config guardrails.yaml --out infra/rootguard
  rootguard export cloudformation --snapshot snapshot.json --out -`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("export takes one format: %s", strings.Join(ExportFormats, " or "))
			}
			return nil
		},
		ValidArgs: ExportFormats,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Format = args[0]
			o.outGiven = cmd.Flags().Changed("out")
			if err := o.Validate(); err != nil {
				return err
			}
			return runExport(cmd, e, &o)
		},
	}
	o.Source.addFlags(cmd, true)
	f := cmd.Flags()
	f.StringVar(&o.Config, "config", "", "desired-guardrails YAML `FILE` (default: the built-in defaults; with --demo, the built-in demo config)")
	f.StringVar(&o.Out, "out", o.Out, "write the files into `DIR`, or - for stdout")
	f.BoolVar(&o.Force, "force", false, "overwrite files in --out that differ from the export")
	return cmd
}

func runExport(cmd *cobra.Command, e *env, o *ExportOptions) error {
	cfg, err := desiredConfig(o.Config, o.Source.Demo)
	if err != nil {
		return err
	}
	src, err := o.Source.load(cmd.Context(), e)
	if err != nil {
		return err
	}
	st, err := guardrail.Desired(cfg, src.snapshot)
	if err != nil {
		return err
	}
	var files []export.File
	switch o.Format {
	case "terraform":
		files, err = export.Terraform(st)
	case "cloudformation":
		files, err = export.CloudFormation(st)
	}
	if err != nil {
		return err
	}
	if n := len(st.Gaps); n > 0 {
		e.log.Warn("some guardrails could not be decided from this config and snapshot; the export lists them", "gaps", n)
		for _, g := range st.Gaps {
			e.log.Info("guardrail gap", "area", g.Area, "account_id", g.AccountID, "detail", g.Detail)
		}
	}
	if o.Out == "-" {
		return writeExportStdout(e.stdout, o.Format, files)
	}
	return writeExportDir(e, o.Out, files, o.Force)
}

// writeExportStdout concatenates the files. Terraform reads the
// concatenation as one module; CloudFormation templates cannot be
// concatenated, so two of them need --out DIR.
func writeExportStdout(w io.Writer, format string, files []export.File) error {
	if format == "cloudformation" && len(files) > 1 {
		names := make([]string, len(files))
		for i, f := range files {
			names[i] = f.Name
		}
		return usageError("the export is %d CloudFormation templates (%s), each deployed as its own stack: use --out DIR", len(files), strings.Join(names, ", "))
	}
	for i, f := range files {
		if format == "terraform" {
			if i > 0 {
				if _, err := io.WriteString(w, "\n"); err != nil {
					return fmt.Errorf("write: %w", err)
				}
			}
			if _, err := io.WriteString(w, "# ---- "+f.Name+" ----\n"); err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
		if _, err := w.Write(f.Content); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	return nil
}

// writeExportDir writes the files into dir. It checks every file first, so
// that a refusal leaves the directory untouched.
func writeExportDir(e *env, dir string, files []export.File, force bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	var differ []string
	for _, f := range files {
		old, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err == nil && !bytes.Equal(old, f.Content) {
			differ = append(differ, f.Name)
		}
	}
	if len(differ) > 0 && !force {
		return fmt.Errorf("--out %s: %s already exist(s) with other content: review the difference, then rerun with --force to overwrite", dir, strings.Join(differ, ", "))
	}
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		if err := os.WriteFile(path, f.Content, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		// At warn, the level shown by default, so that every line export
		// writes on stderr is the logger's (the gap warning, the
		// collector's) and --log-level error silences them all.
		e.log.Warn("file written", "path", path)
	}
	return nil
}
