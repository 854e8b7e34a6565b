package cli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var updateExitCodes = flag.Bool("update-exit-codes", false, "rewrite the table of codes in docs/exit-codes.md from exitCodes")

// exitCodesPath is docs/exit-codes.md, seen from this package's folder.
var exitCodesPath = filepath.Join("..", "..", "docs", "exit-codes.md")

const (
	exitCodesCommand = "go test ./internal/cli -run TestExitCodeReference -update-exit-codes"
	exitTableBegin   = "<!-- Generated from exitCodes in internal/cli/exit.go by `" + exitCodesCommand + "`. Do not edit. -->\n"
	exitTableEnd     = "<!-- End of the generated table. -->\n"
)

// writeExitCodeTable is the table of codes generated from the registry.
func writeExitCodeTable() string {
	var b strings.Builder
	b.WriteString(exitTableBegin + "\n| code | name | in general | commands |\n| --- | --- | --- | --- |\n")
	for _, c := range exitCodes {
		cmds := "every command"
		if c.Commands != nil {
			cmds = "`" + strings.Join(c.Commands, "`, `") + "`"
		}
		fmt.Fprintf(&b, "| %d | `%s` | %s | %s |\n", c.Code, c.Name, cell(c.Doc), cmds)
	}
	b.WriteString("\n" + exitTableEnd)
	return b.String()
}

// TestExitCodeReference keeps docs/exit-codes.md's table of codes equal to
// the registry, and its per-command table in step with it: a row for every
// command that runs, and "never" exactly where the registry says the
// command does not use the code.
func TestExitCodeReference(t *testing.T) {
	raw, err := os.ReadFile(exitCodesPath)
	if err != nil {
		t.Fatalf("read the exit-code doc: %v", err)
	}
	doc := string(raw)
	before, rest, ok1 := strings.Cut(doc, exitTableBegin)
	_, after, ok2 := strings.Cut(rest, exitTableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("docs/exit-codes.md lacks the generated table's markers %q and %q", exitTableBegin, exitTableEnd)
	}
	got := before + writeExitCodeTable() + after
	if *updateExitCodes {
		if err := os.WriteFile(exitCodesPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if diff := cmp.Diff(doc, got); diff != "" {
		t.Errorf("docs/exit-codes.md is stale; run %s (-want +got):\n%s", exitCodesCommand, diff)
	}

	rows := exitCommandRows(t, doc)
	var runnable []string
	for _, c := range referenceCommands(referenceRoot()) {
		if c.Runnable() && c.HasParent() {
			runnable = append(runnable, strings.TrimPrefix(c.CommandPath(), "rootguard "))
		}
	}
	for _, name := range runnable {
		if _, ok := rows[name]; !ok {
			t.Errorf("docs/exit-codes.md: no row for %q", name)
		}
	}
	for name, cells := range rows {
		if !slices.Contains(runnable, name) {
			t.Errorf("docs/exit-codes.md: a row for %q, which is not a command", name)
		}
		if len(cells) != len(exitCodes) {
			t.Errorf("docs/exit-codes.md: %q has %d code columns; want %d", name, len(cells), len(exitCodes))
			continue
		}
		for i, c := range exitCodes {
			uses := c.Commands == nil || slices.Contains(c.Commands, name)
			if never := cells[i] == "never"; never == uses {
				t.Errorf("docs/exit-codes.md: %q, code %d is %q, but the registry says the command uses it: %v", name, c.Code, cells[i], uses)
			}
		}
	}
}

// exitCommandRows reads the per-command table: the command (a row such as
// "completion bash\|zsh" stands for each of its commands) to its cells.
func exitCommandRows(t *testing.T, doc string) map[string][]string {
	t.Helper()
	_, table, ok := strings.Cut(doc, "\n## By command\n")
	if !ok {
		t.Fatal(`docs/exit-codes.md has no "## By command" section`)
	}
	table, _, _ = strings.Cut(table, "\n## ")
	rows := map[string][]string{}
	for line := range strings.Lines(table) {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(strings.TrimSpace(strings.ReplaceAll(line, `\|`, "\x00")), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(strings.ReplaceAll(cells[i], "\x00", "|"))
		}
		names := strings.Split(strings.Trim(cells[0], "`"), "|")
		parent, _, _ := strings.Cut(names[0], " ")
		for i, n := range names {
			if i > 0 {
				n = parent + " " + n
			}
			rows[n] = cells[1:]
		}
	}
	if len(rows) == 0 {
		t.Fatal("docs/exit-codes.md: the per-command table has no rows")
	}
	return rows
}
