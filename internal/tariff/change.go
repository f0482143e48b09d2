package tariff

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Change is what storing a new file for a tariff would do to the one stored.
//
// The rules, since vends were priced with the versions already in force
// and a receipt must always be re-priced exactly as it was: every version
// whose date has come (the one in force and those before it) stays in the
// file with the same figures; a new version starts after now (a version
// dated today started at midnight, and today's vends were priced without
// it); versions still in the future may be changed or dropped, since no
// vend has used them.
type Change struct {
	// New is true when no tariff is stored yet: every version is Added,
	// whatever its date.
	New bool
	// InForce is the stored version in force at the time of the change
	// (nil for a new tariff, or when the stored one has not started).
	InForce *Version
	// Kept are the stored versions the file repeats unchanged.
	Kept []Version
	// Added are the file's versions the stored tariff does not have.
	Added []Version
	// Replaced are future versions whose figures the file changes.
	Replaced []Replaced
	// Removed are future versions the file leaves out.
	Removed []Version
	// Labels is true when the receipt wording changes.
	Labels bool
}

// Replaced is a future version the file changes.
type Replaced struct {
	Old, New Version
	Diff     []string
}

// Empty reports whether storing the file would change nothing.
func (c Change) Empty() bool {
	return !c.New && len(c.Added) == 0 && len(c.Replaced) == 0 && len(c.Removed) == 0 && !c.Labels
}

// Plan compares file, a tariff parsed from a file whose versions start at
// lines, with stored (nil when there is none) at time now, and returns the
// change, or a *FileError naming every version that breaks the rules of
// Change, each at its line in the file.
func Plan(stored *Tariff, file Tariff, lines []int, now time.Time) (Change, error) {
	line := func(i int) int {
		if i >= 0 && i < len(lines) {
			return lines[i]
		}
		return 0
	}
	if stored == nil {
		return Change{New: true, Added: file.Versions}, nil
	}
	var c Change
	var problems []Problem
	if v, err := stored.At(now); err == nil {
		c.InForce = &v
	}
	if stored.Currency != file.Currency {
		// Every figure would differ too; the currency is the one to say.
		return Change{}, fileError([]Problem{{Line: line(0), Msg: fmt.Sprintf(
			"the tariff is in %s, the file in %s: a tariff keeps its currency (import the file under another id)", stored.Currency, file.Currency)}})
	}
	next := make(map[time.Time]int, len(file.Versions)) // by date, to the file's index
	for i, v := range file.Versions {
		next[v.EffectiveFrom] = i
	}
	for _, old := range stored.Versions {
		date := old.EffectiveFrom.Format(dateLayout)
		i, inFile := next[old.EffectiveFrom]
		started := !old.EffectiveFrom.After(now)
		switch {
		case !inFile && started:
			problems = append(problems, Problem{Line: line(insertAt(file, old.EffectiveFrom)), Msg: fmt.Sprintf(
				"the version from %s is missing: it has been in force since %s and vends were priced with it; keep it in the file as it is", date, date)})
		case !inFile:
			c.Removed = append(c.Removed, old)
		default:
			diff := old.Diff(file.Versions[i])
			switch {
			case len(diff) == 0:
				c.Kept = append(c.Kept, old)
			case started:
				problems = append(problems, Problem{Line: line(i), Msg: fmt.Sprintf(
					"the version from %s has been in force since that day and vends were priced with it, so it cannot change: %s; put new figures in a version dated after today",
					date, strings.Join(diff, "; "))})
			default:
				c.Replaced = append(c.Replaced, Replaced{Old: old, New: file.Versions[i], Diff: diff})
			}
		}
	}
	have := make(map[time.Time]bool, len(stored.Versions))
	for _, v := range stored.Versions {
		have[v.EffectiveFrom] = true
	}
	for i, v := range file.Versions {
		if have[v.EffectiveFrom] {
			continue
		}
		if !v.EffectiveFrom.After(now) {
			problems = append(problems, Problem{Line: line(i), Msg: fmt.Sprintf(
				"a new version from %s would reprice what was sold since then: date it after today (%s)",
				v.EffectiveFrom.Format(dateLayout), now.In(Zone).Format(dateLayout))})
			continue
		}
		c.Added = append(c.Added, v)
	}
	c.Labels = !maps.Equal(labelsOf(*stored), labelsOf(file))
	if err := fileError(problems); err != nil {
		return Change{}, err
	}
	return c, nil
}

// What a change does to a version of the file, as VersionChange.What says.
const (
	VersionNew       = "new"
	VersionUnchanged = "unchanged"
	VersionChanged   = "changed" // a future version reworked
)

// VersionChange is what a change does to one version of the file.
type VersionChange struct {
	Version Version
	What    string // VersionNew, VersionUnchanged or VersionChanged
	// Diff says how the version differs: a changed one from the stored
	// version it replaces; a new one from the version before it in the
	// file (nothing for the first).
	Diff []string
}

// Versions lists what c does to each version of file, the tariff it was
// planned with, in the file's order. The stored versions it drops are
// c.Removed.
func (c Change) Versions(file Tariff) []VersionChange {
	out := make([]VersionChange, len(file.Versions))
	for i, v := range file.Versions {
		vc := VersionChange{Version: v, What: VersionNew}
		if i > 0 {
			vc.Diff = file.Versions[i-1].Diff(v)
		}
		for _, k := range c.Kept {
			if k.EffectiveFrom.Equal(v.EffectiveFrom) {
				vc.What, vc.Diff = VersionUnchanged, nil
			}
		}
		for _, r := range c.Replaced {
			if r.New.EffectiveFrom.Equal(v.EffectiveFrom) {
				vc.What, vc.Diff = VersionChanged, r.Diff
			}
		}
		out[i] = vc
	}
	return out
}

// Upcoming are the versions c adds or reworks, by date: those whose
// figures customers have not paid yet, which a preview prices.
func (c Change) Upcoming() []Version {
	out := slices.Clone(c.Added)
	for _, r := range c.Replaced {
		out = append(out, r.New)
	}
	slices.SortFunc(out, func(a, b Version) int { return a.EffectiveFrom.Compare(b.EffectiveFrom) })
	return out
}

// insertAt returns the index of the file's first version after date: where
// a missing version belongs (the last, when none is later).
func insertAt(file Tariff, date time.Time) int {
	for i, v := range file.Versions {
		if v.EffectiveFrom.After(date) {
			return i
		}
	}
	return len(file.Versions) - 1
}

func labelsOf(t Tariff) map[string]Label {
	if len(t.Versions) == 0 {
		return nil
	}
	return t.Versions[0].Labels
}

// VersionLines returns the line at which each version of a tariff file
// starts, in file order (a one-version file: its effective_from), for Plan
// to point at. It is meant for a file that Parse accepted.
func VersionLines(src []byte) []int {
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	root := resolve(doc.Content[0])
	if root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	single := root.Line
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "versions":
			items := resolve(root.Content[i+1])
			if items == nil || items.Kind != yaml.SequenceNode {
				return nil
			}
			out := make([]int, len(items.Content))
			for j, item := range items.Content {
				out[j] = item.Line
			}
			return out
		case keyEffective:
			single = root.Content[i].Line
		}
	}
	return []int{single}
}
