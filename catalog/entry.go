package catalog

// Category groups errors by where the fix lies.
type Category string

const (
	CategoryAgent          Category = "agent"           // the on-premises provisioning agent
	CategoryServiceAccount Category = "service-account" // the cloud sync service account or its credentials
	CategoryService        Category = "service"         // service-side or transient; usually wait or call support
	CategoryConfiguration  Category = "configuration"   // the sync configuration itself
)

// Link is a titled URL shown on a card.
type Link struct {
	Title string `json:"title" yaml:"title"`
	URL   string `json:"url" yaml:"url"`
}

// Entry is one error code: Microsoft's published text, our enrichment, and
// whatever overlays added.
type Entry struct {
	Code string `json:"code"`

	// From Microsoft's reference table (markup removed, links absolute).
	Message    string `json:"message"`    // the "Details" column without its "Error Message:" prefix
	Scenario   string `json:"scenario"`   // the likely cause
	Resolution string `json:"resolution"` // Microsoft's resolution text

	// Our enrichment.
	Title      string   `json:"title"`
	Summary    string   `json:"summary"` // what it means, in our words; Message is what the portal shows
	Category   Category `json:"category"`
	AutoRetry  bool     `json:"auto_retry"`            // Microsoft retries it without anyone acting
	Steps      []string `json:"steps"`                 // how to fix, in order
	Links      []Link   `json:"links"`                 // doc page, troubleshooting, PowerShell repair
	AADSTS     []string `json:"aadsts,omitempty"`      // e.g. "AADSTS50034"
	ErrorCodes []string `json:"error_codes,omitempty"` // numeric codes, e.g. "81"
	Related    []string `json:"related,omitempty"`     // codes often confused with this one

	// Localized holds the error message as Microsoft publishes it in other
	// languages, keyed by locale ("ja-jp", "zh-cn", …). Recognition matches
	// them; they are identifiers, not prose we show.
	Localized map[string]string `json:"localized,omitempty"`

	// From overlay files.
	Aliases  []string `json:"aliases,omitempty"`
	Owner    string   `json:"owner,omitempty"`
	Notes    string   `json:"notes,omitempty"`
	Runbooks []Link   `json:"runbooks,omitempty"`
}
