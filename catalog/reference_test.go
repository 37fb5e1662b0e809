package catalog

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const tableHead = "|Error code|Details|Scenario|Resolution|\n|-----|-----|-----|-----|\n"

// TestParseReferenceDefects feeds one-row tables with each defect of the
// real page and checks what comes out.
func TestParseReferenceDefects(t *testing.T) {
	tests := []struct {
		name string
		row  string
		want Entry
	}{
		{
			name: "clean row, prefix stripped",
			row:  "|TimeOut|Error Message: Timed out.|Slow agent.|Wait.|",
			want: Entry{Code: "TimeOut", Message: "Timed out.", Scenario: "Slow agent.", Resolution: "Wait."},
		},
		{
			name: "three cells, link moved from scenario to resolution",
			row:  `|NoAgents|Error Message: None.|"Agents aren't listening. [Behind a firewall](~/identity/app-proxy/proxy.md#outbound)|`,
			want: Entry{Code: "NoAgents", Message: "None.", Scenario: "Agents aren't listening.",
				Resolution: "Behind a firewall (https://learn.microsoft.com/en-us/entra/identity/app-proxy/proxy#outbound)"},
		},
		{
			name: "three cells without a link stay as they are",
			row:  "|NoAgents|Error Message: None.|Agents aren't listening.|",
			want: Entry{Code: "NoAgents", Message: "None.", Scenario: "Agents aren't listening."},
		},
		{
			name: "stray opening quote",
			row:  `|X|Error Message: m|s|"In this case, nothing.|`,
			want: Entry{Code: "X", Message: "m", Scenario: "s", Resolution: "In this case, nothing."},
		},
		{
			name: "stray closing quote",
			row:  `|X|Error Message: m|s|It has since expired."|`,
			want: Entry{Code: "X", Message: "m", Scenario: "s", Resolution: "It has since expired."},
		},
		{
			name: "paired quotes kept",
			row:  `|X|Error Message: m|s|Run "Restart sync".|`,
			want: Entry{Code: "X", Message: "m", Scenario: "s", Resolution: `Run "Restart sync".`},
		},
		{
			name: "br becomes a line break",
			row:  "|X|Error Message: m| 401 (Unauthorized).<br> Credentials expired.|r|",
			want: Entry{Code: "X", Message: "m", Scenario: "401 (Unauthorized).\nCredentials expired.", Resolution: "r"},
		},
		{
			name: "bold and code marks removed",
			row:  "|X|Error Message: check **Microsoft Entra Provisioning Agent** and `net start`.|s|r|",
			want: Entry{Code: "X", Message: "check Microsoft Entra Provisioning Agent and net start.", Scenario: "s", Resolution: "r"},
		},
		{
			name: "links keep their text and an absolute URL",
			row:  "|X|Error Message: follow [here](./how-to-troubleshoot.md).|s|Use [Repair-AADCloudSyncToolsAccount](reference-powershell.md#repair-aadcloudsynctoolsaccount) now.|",
			want: Entry{Code: "X",
				Message:    "follow here (https://learn.microsoft.com/en-us/entra/identity/hybrid/cloud-sync/how-to-troubleshoot).",
				Scenario:   "s",
				Resolution: "Use Repair-AADCloudSyncToolsAccount (https://learn.microsoft.com/en-us/entra/identity/hybrid/cloud-sync/reference-powershell#repair-aadcloudsynctoolsaccount) now."},
		},
		{
			name: "bare URL left as text",
			row:  "|X|Error Message: m|s|See https://go.microsoft.com/fwlink/?linkid=2150988.|",
			want: Entry{Code: "X", Message: "m", Scenario: "s", Resolution: "See https://go.microsoft.com/fwlink/?linkid=2150988."},
		},
		{
			name: "escapes and entities resolved",
			row:  `|X|Error Message: a \| b &amp; c|s|r|`,
			want: Entry{Code: "X", Message: "a | b & c", Scenario: "s", Resolution: "r"},
		},
		{
			name: "extra spaces collapsed",
			row:  "|  X  |Error Message:   lots    of   space  |s|r|",
			want: Entry{Code: "X", Message: "lots of space", Scenario: "s", Resolution: "r"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseReference([]byte(tableHead + tt.row + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]Entry{tt.want}, got); diff != "" {
				t.Errorf("ParseReference mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseReferenceErrors(t *testing.T) {
	tests := []struct {
		name string
		page string
		want string
	}{
		{"no table", "# Title\n\nJust text.\n", "no table with columns"},
		{"wrong columns", "|a|b|\n|-|-|\n|1|2|\n", "no table with columns"},
		{"no rows", tableHead, "no rows"},
		{"code with spaces", tableHead + "|Time Out|Error Message: m|s|r|\n", `line 3: "Time Out" is not an error code`},
		{"empty code", tableHead + "||Error Message: m|s|r|\n", `"" is not an error code`},
		{"duplicate code", tableHead + "|X|Error Message: m|s|r|\n|x|Error Message: m|s|r|\n", "line 4: code x appears twice"},
		{"no details", tableHead + "|X|Error Message:|s|r|\n", "code X has no details"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseReference([]byte(tt.page))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseReference() error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestAbsoluteURL(t *testing.T) {
	const base = "https://learn.microsoft.com/en-us/entra/"
	tests := []struct {
		name string
		dest string
		want string
	}{
		{"sibling page", "how-to-troubleshoot.md", base + "identity/hybrid/cloud-sync/how-to-troubleshoot"},
		{"dot slash", "./how-to-troubleshoot.md", base + "identity/hybrid/cloud-sync/how-to-troubleshoot"},
		{"parent", "../what-is-provisioning.md", base + "identity/hybrid/what-is-provisioning"},
		{"tilde root with anchor", "~/identity/app-proxy/application-proxy-configure-connectors-with-proxy-servers.md#use-the-outbound-proxy-server",
			base + "identity/app-proxy/application-proxy-configure-connectors-with-proxy-servers#use-the-outbound-proxy-server"},
		{"anchor kept", "reference-powershell.md#repair-aadcloudsynctoolsaccount", base + "identity/hybrid/cloud-sync/reference-powershell#repair-aadcloudsynctoolsaccount"},
		{"anchor on this page", "#error-codes", base + "identity/hybrid/cloud-sync/reference-error-codes#error-codes"},
		{"query kept", "how-to-install.md?tabs=a", base + "identity/hybrid/cloud-sync/how-to-install?tabs=a"},
		{"past the root stays under it", "../../../../x.md", base + "x"},
		{"absolute https untouched", "https://go.microsoft.com/fwlink/?linkid=2150988", "https://go.microsoft.com/fwlink/?linkid=2150988"},
		{"mailto untouched", "mailto:a@example.com", "mailto:a@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := absoluteURL(tt.dest); got != tt.want {
				t.Errorf("absoluteURL(%q) = %q, want %q", tt.dest, got, tt.want)
			}
		})
	}
}

// TestParseRealPage pins the defects of the committed page that matter.
func TestParseRealPage(t *testing.T) {
	page, err := os.ReadFile("data/reference-error-codes.md")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := ParseReference(page)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]Entry{}
	for _, e := range entries {
		byCode[e.Code] = e
		for field, v := range map[string]string{"message": e.Message, "scenario": e.Scenario, "resolution": e.Resolution} {
			for _, markup := range []string{"**", "](", "<br", ".md", "Error Message:"} {
				if strings.Contains(v, markup) {
					t.Errorf("%s %s still contains %q: %q", e.Code, field, markup, v)
				}
			}
			if strings.HasPrefix(v, `"`) || strings.HasSuffix(v, `"`) {
				t.Errorf("%s %s keeps a stray quote: %q", e.Code, field, v)
			}
		}
	}
	noActive := byCode["HybridIdentityServiceNoActiveAgents"]
	if noActive.Scenario != "Agents aren't listening to the ServiceBus endpoint." {
		t.Errorf("NoActiveAgents scenario = %q", noActive.Scenario)
	}
	if !strings.Contains(noActive.Resolution, "https://learn.microsoft.com/en-us/entra/identity/app-proxy/") {
		t.Errorf("NoActiveAgents resolution = %q, want the proxy link", noActive.Resolution)
	}
}

func FuzzParseReference(f *testing.F) {
	// Small seeds: the fuzzer minimises every new input it finds, and
	// minimising something the size of the whole page takes minutes.
	f.Add([]byte(tableHead + "|X|Error Message: [a](../b.md)<br>**c**|\"d|e\"|\n"))
	f.Add([]byte(tableHead + "|HybridIdentityServiceNoActiveAgents|Error Message: We're unable to find an active agent. Check **agent** under Services.|\"Agents aren't listening. [Behind a firewall](~/identity/app-proxy/x.md#use-the-outbound-proxy-server)|\n"))
	f.Fuzz(func(t *testing.T, page []byte) {
		entries, err := ParseReference(page)
		if err != nil {
			return
		}
		for _, e := range entries {
			if !validCode.MatchString(e.Code) || e.Message == "" {
				t.Errorf("ParseReference accepted an invalid entry %+v", e)
			}
		}
	})
}
