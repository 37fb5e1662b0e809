package recognize

import (
	"strings"
	"testing"
)

// chatter is a typical 200-byte message of a busy channel: the quick path.
const chatter = "morning all! standup moved to 10:30 today because the room is booked, " +
	"bring your laptops. also pizza friday is back, vote in the thread for toppings " +
	"before noon please :pizza: thanks to Maria for organising"

// paste2K is a 2 KB paste: a Slack-escaped portal message in a fence with
// chatter around it.
var paste2K = func() string {
	p := "hey team, seeing this on the fabrikam cloud sync config since ~9am, anyone?\n```" +
		"Error code: AzureActiveDirectoryInvalidCredential\nError message: We found an issue with the service account that is used to run Microsoft Entra Cloud Sync. " +
		"You can repair the cloud service account by following the instructions at &lt;https://go.microsoft.com/fwlink/?linkid=2150988|here&gt;. " +
		"If the error persists, please contact support with Job ID (from status pane of your configuration). Additional Error Details: CredentialsInvalid " +
		"AADSTS50034: The user account {EmailHidden} doesn't exist in the fabrikam.onmicrosoft.com directory. To sign into this application, the account " +
		"must be added to the directory. Trace ID: 5c7a74ed-550f-4b6b-b68b-801948564900 Correlation ID: d42c5ee2-8a6e-4c6c-91b4-4642fc59a0ce " +
		"Timestamp: 2025-02-22 22:05:03Z```\n"
	var b strings.Builder
	b.WriteString(p)
	for b.Len() < 2048-len(chatter) {
		b.WriteString("&gt; " + chatter + "\n")
	}
	return b.String()
}()

// paste40K is a 40 KB log export with the error near the end.
var paste40K = func() string {
	line := "2025-02-22T22:05:03.1234567Z INFO  ProvisioningAgent  Sync cycle step completed: imported 250 objects, exported 0, no changes pending\n"
	var b strings.Builder
	for b.Len() < 40*1024-len(paste2K) {
		b.WriteString(line)
	}
	b.WriteString(paste2K)
	return b.String()
}()

func benchmark(b *testing.B, text string) {
	e := engine(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		e.Recognize(text)
	}
}

func BenchmarkRecognizeChatter200B(b *testing.B) { benchmark(b, chatter) }
func BenchmarkRecognizePaste2KB(b *testing.B)    { benchmark(b, paste2K) }
func BenchmarkRecognizePaste40KB(b *testing.B)   { benchmark(b, paste40K) }

// paste300K is an exported agent trace log of 300 KB, every line naming
// Azure and the agent, with the error past the first 64 KB: the windowed
// path (see windows).
var paste300K = traceLog(300<<10, 200<<10, "2025-03-03T11:00:00Z [ERROR] Provisioning failed: AzureDirectoryServiceServerBusy An error occurred. Error Code: 81.")

func BenchmarkRecognizePaste300KB(b *testing.B) { benchmark(b, paste300K) }
