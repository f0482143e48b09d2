package care

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Ticket categories shipped by default; a utility may configure its own
// list (see Desk.Categories), which should keep these names for the ones it
// shares, because self-resolution and the reports know them.
const (
	CategoryNoToken       = "no_token"
	CategoryWrongUnits    = "wrong_units"
	CategoryTokenRejected = "token_rejected"
	CategoryOutage        = "outage"
	CategoryBilling       = "billing"
	CategoryMeterFault    = "meter_fault"
	CategoryNewConnection = "new_connection"
	CategoryStaffConduct  = "staff_conduct"
	CategoryOther         = "other"
)

// Category is one kind of ticket: its name, what customers and staff read
// in English and Swahili, and the team and priority a new ticket gets.
type Category struct {
	Name     string `yaml:"name"`
	EN       string `yaml:"en"`
	SW       string `yaml:"sw"`
	Team     string `yaml:"team"`
	Priority string `yaml:"priority"`
}

// Label is the category's name in lang.
func (c Category) Label(lang string) string {
	if lang == "sw" && c.SW != "" {
		return c.SW
	}
	return c.EN
}

// DefaultCategories is the list a desk uses when none is configured.
var DefaultCategories = []Category{
	{CategoryNoToken, "No token", "Sijapata tokeni", "care", "high"},
	{CategoryWrongUnits, "Wrong units", "Units si sahihi", "billing", "normal"},
	{CategoryTokenRejected, "Token rejected by the meter", "Mita imekataa tokeni", "care", "high"},
	{CategoryOutage, "Outage / no power", "Hakuna umeme", "field", "high"},
	{CategoryBilling, "Billing", "Malipo na bili", "billing", "normal"},
	{CategoryMeterFault, "Meter fault", "Hitilafu ya mita", "field", "normal"},
	{CategoryNewConnection, "New connection", "Muunganisho mpya", "connections", "low"},
	{CategoryStaffConduct, "Staff conduct", "Tabia ya mfanyakazi", "supervisors", "high"},
	{CategoryOther, "Other", "Nyingine", "care", "normal"},
}

// CategoryError is returned for a ticket of a category not configured.
type CategoryError struct {
	Name string
	Want []string
}

func (e *CategoryError) Error() string {
	return fmt.Sprintf("ticket category %q: want one of %s", e.Name, strings.Join(e.Want, ", "))
}

// Priorities, lowest first.
var Priorities = []string{"low", "normal", "high", "urgent"}

// ValidPriority reports whether p is a priority.
func ValidPriority(p string) bool {
	for _, q := range Priorities {
		if p == q {
			return true
		}
	}
	return false
}

// CheckCategories returns an error naming the first bad entry of a
// configured list: a list that would lose tickets must not start.
func CheckCategories(cs []Category) error {
	seen := map[string]bool{}
	for i, c := range cs {
		switch {
		case c.Name == "" || strings.ContainsAny(c.Name, " \t\n") || len(c.Name) > 40:
			return fmt.Errorf("category %d: name %q: want a word of at most 40 characters", i+1, c.Name)
		case seen[c.Name]:
			return fmt.Errorf("category %q listed twice", c.Name)
		case c.EN == "" || c.SW == "":
			return fmt.Errorf("category %q: want both an English (en) and a Swahili (sw) label", c.Name)
		case c.Team == "":
			return fmt.Errorf("category %q: want a team", c.Name)
		case c.Priority != "" && !ValidPriority(c.Priority):
			return fmt.Errorf("category %q: priority %q: want one of %s", c.Name, c.Priority, strings.Join(Priorities, ", "))
		}
		seen[c.Name] = true
	}
	if len(cs) > 0 && !seen[CategoryOther] {
		return fmt.Errorf("categories: want one named %q, where reports that fit no other go", CategoryOther)
	}
	return nil
}

// LoadCategories reads a YAML list of categories from path and checks it.
func LoadCategories(path string) ([]Category, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("care categories: %w", err)
	}
	return ParseCategories(b)
}

// ParseCategories reads a YAML list of categories and checks it: an empty
// list, an unknown field or a bad entry is an error naming it.
func ParseCategories(b []byte) ([]Category, error) {
	var cs []Category
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&cs); err != nil {
		return nil, fmt.Errorf("care categories: %w", err)
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("care categories: the list is empty")
	}
	if err := CheckCategories(cs); err != nil {
		return nil, fmt.Errorf("care categories: %w", err)
	}
	return cs, nil
}

// categoryOfKind maps the fault kinds customers reported before tickets
// (and still report on USSD, the portal and the app) to categories.
func categoryOfKind(kind string) string {
	switch kind {
	case FaultNoPower:
		return CategoryOutage
	case FaultMeter:
		return CategoryMeterFault
	}
	return kind // token_rejected and other are the same words
}

// kindOfCategory is the fault kind a category shows as to the callers that
// still speak of faults; categories without a kind show by their name.
func kindOfCategory(c string) string {
	switch c {
	case CategoryOutage:
		return FaultNoPower
	case CategoryMeterFault:
		return FaultMeter
	}
	return c
}
