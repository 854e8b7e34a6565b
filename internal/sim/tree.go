package sim

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// unit is the organization root or an OU.
type unit struct {
	id, name, parent string
	path             string // slash path of names below the root
}

// tree is the organization's root and OUs, parents before children.
type tree struct {
	rootID string
	units  []*unit
	byID   map[string]*unit
	byPath map[string]*unit
	byName map[string][]*unit
}

func defaultRootID(o *Organization) string {
	if o.RootID != "" {
		return o.RootID
	}
	s := strings.TrimPrefix(o.ID, "o-")
	if len(s) > 4 {
		s = s[:4]
	}
	return "r-" + s
}

func ouIDFor(rootID, path string) string {
	h := fnv.New64a()
	h.Write([]byte(path))
	return fmt.Sprintf("ou-%s-%08x", strings.TrimPrefix(rootID, "r-"), uint32(h.Sum64()))
}

func buildTree(o *Organization) (*tree, error) {
	t := &tree{
		rootID: defaultRootID(o),
		byID:   map[string]*unit{},
		byPath: map[string]*unit{},
		byName: map[string][]*unit{},
	}
	root := &unit{id: t.rootID, name: "Root"}
	t.add(root)

	var add func(ou OU, parent *unit, where string) error
	add = func(ou OU, parent *unit, where string) error {
		if ou.Name == "" {
			return fmt.Errorf("%s: an OU needs a name", where)
		}
		path := ou.Name
		if parent.path != "" {
			path = parent.path + "/" + ou.Name
		}
		id := ou.ID
		if id == "" {
			id = ouIDFor(t.rootID, path)
		} else if !ouID.MatchString(id) {
			return fmt.Errorf("%s.id %q: want ou-<root>-<suffix>", where, id)
		}
		if t.byID[id] != nil {
			return fmt.Errorf("%s.id %q: duplicate OU", where, id)
		}
		if t.byPath[path] != nil {
			return fmt.Errorf("%s: duplicate OU %q", where, path)
		}
		u := &unit{id: id, name: ou.Name, parent: parent.id, path: path}
		t.add(u)
		for i, c := range ou.Children {
			if c.Parent != "" {
				return fmt.Errorf("%s.children[%d].parent: only a top-level OU may name its parent", where, i)
			}
			if err := add(c, u, fmt.Sprintf("%s.children[%d]", where, i)); err != nil {
				return err
			}
		}
		return nil
	}

	// Top-level OUs may name a parent defined elsewhere: place them in
	// rounds until nothing changes.
	pending := make([]int, len(o.OUs))
	for i := range pending {
		pending[i] = i
	}
	for len(pending) > 0 {
		var next []int
		for _, i := range pending {
			ou := o.OUs[i]
			parent := root
			if ou.Parent != "" {
				id, err := t.resolve(ou.Parent)
				if err != nil {
					next = append(next, i)
					continue
				}
				parent = t.byID[id]
			}
			if err := add(ou, parent, fmt.Sprintf("organization.ous[%d]", i)); err != nil {
				return nil, err
			}
		}
		if len(next) == len(pending) {
			return nil, fmt.Errorf("organization.ous[%d].parent %q: no such OU", next[0], o.OUs[next[0]].Parent)
		}
		pending = next
	}
	return t, nil
}

func (t *tree) add(u *unit) {
	t.units = append(t.units, u)
	t.byID[u.id] = u
	t.byPath[u.path] = u
	t.byName[u.name] = append(t.byName[u.name], u)
}

// resolve turns an OU reference (empty for the root, an ID, a slash path or
// a unique name) into a unit ID.
func (t *tree) resolve(ref string) (string, error) {
	if ref == "" || ref == "Root" || ref == t.rootID {
		return t.rootID, nil
	}
	if u := t.byID[ref]; u != nil {
		return u.id, nil
	}
	if u := t.byPath[ref]; u != nil {
		return u.id, nil
	}
	switch us := t.byName[ref]; len(us) {
	case 1:
		return us[0].id, nil
	case 0:
		return "", fmt.Errorf("OU %q: no such OU", ref)
	default:
		return "", fmt.Errorf("OU %q: ambiguous name, use a path such as %s", ref, us[0].path)
	}
}

// children returns the OUs directly under parent, in declaration order.
func (t *tree) children(parent string) []*unit {
	var out []*unit
	for _, u := range t.units {
		if u.parent == parent && u.id != t.rootID {
			out = append(out, u)
		}
	}
	return out
}
