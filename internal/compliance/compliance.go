// Package compliance shows findings framework by framework: for each
// requirement of a CIS AWS Foundations Benchmark version, SEC01-BP02 or
// Security Hub's Foundational Security Best Practices, the checks behind it
// and their status per account, and what a person must confirm because no
// check covers it. The checks behind a requirement come from the check
// registry's references; frameworks.yaml holds the requirement titles.
package compliance

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/rootguard/rootguard/internal/checks"
)

//go:embed frameworks.yaml
var frameworksYAML []byte

// Framework is one framework's requirements about the root user.
type Framework struct {
	ID           string
	Title        string
	Requirements []Requirement
	// Outside maps registry IDs that belong to no requirement of the
	// framework to the reason.
	Outside map[string]string
}

// Requirement is one requirement and the checks behind it.
type Requirement struct {
	ID     string
	Title  string
	Checks []string // check IDs, in registry order
	// Manual is what a person must do or confirm; empty when the checks
	// cover the whole requirement.
	Manual string
}

// source says which registry references map checks to requirement IDs.
type source struct {
	CIS         string `yaml:"cis"`
	SecurityHub bool   `yaml:"security_hub"`
	SEC01BP02   bool   `yaml:"sec01_bp02"`
}

type fileFramework struct {
	ID           string `yaml:"id"`
	Title        string `yaml:"title"`
	Source       source `yaml:"source"`
	SameAs       string `yaml:"same_as"`
	Requirements []struct {
		ID     string   `yaml:"id"`
		Title  string   `yaml:"title"`
		Checks []string `yaml:"checks"`
		Manual string   `yaml:"manual"`
	} `yaml:"requirements"`
	Outside map[string]string `yaml:"outside"`
}

// ids are the requirement IDs the registry gives check c under s.
func (s source) ids(c *checks.Check) []string {
	switch {
	case s.CIS != "":
		var ids []string
		for _, r := range c.References.CIS {
			if v, id, ok := strings.Cut(r, ":"); ok && v == s.CIS {
				ids = append(ids, id)
			}
		}
		return ids
	case s.SecurityHub:
		return c.References.SecurityHub
	case s.SEC01BP02:
		return []string{c.References.SEC01BP02}
	}
	return nil
}

// Frameworks builds every framework of frameworks.yaml over reg. It fails
// when the data names a check reg does not have, or reg maps a check to a
// requirement the framework does not list (nor lists as outside it).
func Frameworks(reg *checks.Registry) ([]Framework, error) {
	return build(frameworksYAML, reg)
}

func build(data []byte, reg *checks.Registry) ([]Framework, error) {
	var file struct {
		Frameworks []fileFramework `yaml:"frameworks"`
	}
	if err := yaml.NewDecoder(bytes.NewReader(data), yaml.DisallowUnknownField()).Decode(&file); err != nil {
		return nil, fmt.Errorf("frameworks.yaml: %w", err)
	}
	var out []Framework
	for _, ff := range file.Frameworks {
		if ff.SameAs != "" {
			i := slices.IndexFunc(out, func(f Framework) bool { return f.ID == ff.SameAs })
			if i < 0 {
				return nil, fmt.Errorf("framework %s: same_as %q is not an earlier framework", ff.ID, ff.SameAs)
			}
			f := out[i]
			f.ID, f.Title = ff.ID, ff.Title
			out = append(out, f)
			continue
		}
		f := Framework{ID: ff.ID, Title: ff.Title, Outside: ff.Outside}
		index := map[string]int{}
		for _, r := range ff.Requirements {
			if _, dup := index[r.ID]; dup {
				return nil, fmt.Errorf("framework %s: requirement %s listed twice", f.ID, r.ID)
			}
			for _, id := range r.Checks {
				if _, ok := reg.Lookup(id); !ok {
					return nil, fmt.Errorf("framework %s, requirement %s: no check %q", f.ID, r.ID, id)
				}
			}
			index[r.ID] = len(f.Requirements)
			f.Requirements = append(f.Requirements, Requirement{ID: r.ID, Title: r.Title, Checks: r.Checks, Manual: strings.TrimSpace(r.Manual)})
		}
		for _, c := range reg.Checks() {
			for _, id := range ff.Source.ids(c) {
				i, ok := index[id]
				if !ok {
					if _, out := f.Outside[id]; out {
						continue
					}
					return nil, fmt.Errorf("framework %s: check %s maps to %s, which is not a requirement", f.ID, c.ID, id)
				}
				if !slices.Contains(f.Requirements[i].Checks, c.ID) {
					f.Requirements[i].Checks = append(f.Requirements[i].Checks, c.ID)
				}
			}
		}
		for _, r := range f.Requirements {
			if len(r.Checks) == 0 && r.Manual == "" {
				return nil, fmt.Errorf("framework %s: requirement %s has no check and says nothing manual", f.ID, r.ID)
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// IDs are the framework IDs in frameworks.yaml's order.
func IDs(fs []Framework) []string {
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	return ids
}
