// Package version reports rootguard's version, commit and build date, set
// with -ldflags -X at release time and read from the build info otherwise.
package version

import "runtime/debug"

// Set by -ldflags "-X github.com/rootguard/rootguard/internal/version.Version=…".
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// Info is the version triple.
type Info struct {
	Version, Commit, Date string
}

// Get returns the version info, falling back to debug.ReadBuildInfo.
func Get() Info {
	i := Info{Version: Version, Commit: Commit, Date: Date}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if i.Version == "" {
			i.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if i.Commit == "" {
					i.Commit = s.Value
				}
			case "vcs.time":
				if i.Date == "" {
					i.Date = s.Value
				}
			}
		}
	}
	for _, p := range []*string{&i.Version, &i.Commit, &i.Date} {
		if *p == "" {
			*p = "unknown"
		}
	}
	return i
}
