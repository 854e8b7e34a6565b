package cli

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

var updateCLIReference = flag.Bool("update-cli-reference", false, "rewrite docs/cli.md from the command tree")

// cliReferencePath is docs/cli.md, seen from this package's folder.
var cliReferencePath = filepath.Join("..", "..", "docs", "cli.md")

const cliReferenceCommand = "go test ./internal/cli -run TestCLIReference -update-cli-reference"

// TestCLIReference keeps docs/cli.md equal to what the command tree says
// about itself: every command, its usage, help, flags and examples.
func TestCLIReference(t *testing.T) {
	var got bytes.Buffer
	if err := writeCLIReference(&got, referenceRoot()); err != nil {
		t.Fatal(err)
	}
	if *updateCLIReference {
		if err := os.WriteFile(cliReferencePath, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(cliReferencePath)
	if err != nil {
		t.Fatalf("read the CLI reference: %v (run %s)", err, cliReferenceCommand)
	}
	if diff := cmp.Diff(string(want), got.String()); diff != "" {
		t.Errorf("docs/cli.md is stale; run %s (-want +got):\n%s", cliReferenceCommand, diff)
	}
}

// TestCLIReferenceCoversTree checks the generator against the tree it
// walks: every visible command has a section, hidden ones none, and every
// flag of a command is in its section.
func TestCLIReferenceCoversTree(t *testing.T) {
	root := referenceRoot()
	hidden := &cobra.Command{Use: "secret-hidden-command", Short: "must not appear", Hidden: true, Run: func(*cobra.Command, []string) {}}
	root.AddCommand(hidden)
	var b bytes.Buffer
	if err := writeCLIReference(&b, root); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	if strings.Contains(doc, hidden.Use) {
		t.Errorf("the hidden command %q is in the reference", hidden.Use)
	}
	sections := strings.Split(doc, "\n## ")
	for _, c := range referenceCommands(root) {
		i := slices.IndexFunc(sections, func(s string) bool { return strings.HasPrefix(s, c.CommandPath()+"\n") })
		if i < 0 {
			t.Errorf("no section for %q", c.CommandPath())
			continue
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden || f.Name == "help" {
				return
			}
			if !strings.Contains(sections[i], "--"+f.Name+"`") && !strings.Contains(sections[i], "--"+f.Name+" ") {
				t.Errorf("%s: flag --%s missing from its section", c.CommandPath(), f.Name)
			}
		})
	}
	for _, name := range []string{"rootguard scan", "rootguard audit verify", "rootguard trail query", "rootguard sim serve", "rootguard version"} {
		if !strings.Contains(doc, "\n## "+name+"\n") {
			t.Errorf("no section for %q", name)
		}
	}
}

// referenceRoot is the command tree as a user meets it: with cobra's
// completion command and help flags, which Execute would add.
func referenceRoot() *cobra.Command {
	started := false
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	root := newRootCmd(e, &started)
	root.InitDefaultCompletionCmd()
	var addHelp func(*cobra.Command)
	addHelp = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		for _, sub := range c.Commands() {
			addHelp(sub)
		}
	}
	addHelp(root)
	return root
}

// referenceCommands lists the visible commands depth first, in the order
// cobra's help lists them (by name).
func referenceCommands(c *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{c}
	for _, sub := range c.Commands() {
		if !sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
			continue
		}
		out = append(out, referenceCommands(sub)...)
	}
	return out
}

// writeCLIReference writes the Markdown reference of root's tree.
func writeCLIReference(w io.Writer, root *cobra.Command) error {
	var b strings.Builder
	cmds := referenceCommands(root)
	b.WriteString("# rootguard command-line reference\n\n")
	fmt.Fprintf(&b, "<!-- Generated from the command tree by `%s`. Do not edit. -->\n\n", cliReferenceCommand)
	b.WriteString("Every command takes `-h`/`--help`. Exit codes are in [exit-codes.md](exit-codes.md).\n\n")
	b.WriteString("| command | what it does |\n| --- | --- |\n")
	for _, c := range cmds[1:] {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s |\n", c.CommandPath(), anchor(c.CommandPath()), cell(c.Short))
	}
	for _, c := range cmds {
		writeCommand(&b, c, c == root)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeCommand(b *strings.Builder, c *cobra.Command, isRoot bool) {
	fmt.Fprintf(b, "\n## %s\n\n", c.CommandPath())
	if c.Short != "" {
		fmt.Fprintf(b, "%s.\n\n", strings.TrimSuffix(c.Short, "."))
	}
	fmt.Fprintf(b, "```\n%s\n```\n", usageLine(c))
	if long := strings.TrimSpace(c.Long); long != "" {
		fmt.Fprintf(b, "\n```text\n%s\n```\n", long)
	}
	if c.Example != "" {
		fmt.Fprintf(b, "\nExamples:\n\n```sh\n%s\n```\n", dedent(c.Example))
	}
	var subs []*cobra.Command
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() && !sub.IsAdditionalHelpTopicCommand() {
			subs = append(subs, sub)
		}
	}
	if len(subs) > 0 {
		b.WriteString("\nSubcommands:\n\n")
		for _, sub := range subs {
			fmt.Fprintf(b, "- [`%s`](#%s): %s\n", sub.Name(), anchor(sub.CommandPath()), sub.Short)
		}
	}
	title := "Flags"
	if isRoot {
		title = "Global flags (every command takes them)"
	}
	writeFlags(b, title, c.LocalFlags())
	if !isRoot {
		// Inherited flags other than the global ones, listed once above.
		inherited := pflag.NewFlagSet(c.Name(), pflag.ContinueOnError)
		c.InheritedFlags().VisitAll(func(f *pflag.Flag) {
			if c.Root().PersistentFlags().Lookup(f.Name) == nil {
				inherited.AddFlag(f)
			}
		})
		writeFlags(b, "Inherited flags", inherited)
	}
}

// usageLine is cobra's usage line; a command that only groups others is
// used through them.
func usageLine(c *cobra.Command) string {
	if c.Runnable() {
		return c.UseLine()
	}
	return c.CommandPath() + " [command]"
}

// writeFlags writes a table of fs's visible flags (-h/--help left out: every
// command has it).
func writeFlags(b *strings.Builder, title string, fs *pflag.FlagSet) {
	var rows []string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Name == "help" {
			return
		}
		name := "--" + f.Name
		if f.Shorthand != "" {
			name = "-" + f.Shorthand + ", " + name
		}
		varname, usage := pflag.UnquoteUsage(f)
		// Name the value only where the usage does (`FILE`); otherwise
		// pflag's name is the type, which has its own column.
		if strings.Contains(f.Usage, "`") {
			name += " " + varname
		}
		def := f.DefValue
		switch {
		case f.Value.Type() == "bool" && def == "false", def == "[]", def == "":
			def = ""
		default:
			def = "`" + def + "`"
		}
		rows = append(rows, fmt.Sprintf("| `%s` | %s | %s | %s |", name, f.Value.Type(), def, cell(usage)))
	})
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n\n| flag | type | default | usage |\n| --- | --- | --- | --- |\n%s\n", title, strings.Join(rows, "\n"))
}

// cell makes text safe in a Markdown table cell.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// anchor is the heading anchor GitHub gives "## " + path.
func anchor(path string) string { return strings.ReplaceAll(strings.ToLower(path), " ", "-") }

// dedent removes the indent cobra's help gives examples ("  rootguard …")
// from every line.
func dedent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "  ")
	}
	return strings.Join(lines, "\n")
}
