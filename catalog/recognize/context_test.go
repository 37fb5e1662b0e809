package recognize

import "testing"

// TestContextDecidesAutoReply pins the precision rules: evidence that
// other software shows too (an English word spelled like a code, an AADSTS
// sign-in error) names the code but speaks unasked only in a text about
// Cloud Sync.
func TestContextDecidesAutoReply(t *testing.T) {
	tests := []struct {
		text      string
		code      string // best match; "" for none
		autoReply bool
	}{
		{"pls bump the HTTP client TimeOut to 30s in appsettings.json", "TimeOut", false},
		{"TimeOut on the cloud sync config again", "TimeOut", true},
		{"Status: TimeOut. Cloud sync agent didn't respond in time", "TimeOut", true},
		// A name in code, even among Cloud Sync words, is no error.
		{"set x.TimeOut = 30 in the AgentSignaling retry helper", "", false},
		{"LGTM, but raise TimeOut to 45s before merging the cloud sync retry change", "", false},
		{"options.TimeOut defaults to 100 seconds in the cloud sync health probe", "", false},
		{"AADSTS50055 on my personal account when I log into outlook, password expired", "AzureActiveDirectoryExpiredCredentials", false},
		{"AADSTS50055: The password is expired.", "AzureActiveDirectoryExpiredCredentials", false},
		{"cloud sync quarantined with AADSTS50055", "AzureActiveDirectoryExpiredCredentials", true},
		{"Azure AD Connect cloud sync agent quarantined: AADSTS50055", "AzureActiveDirectoryExpiredCredentials", true},
		// "sync" alone is not Cloud Sync, and its older sibling vetoes.
		{"our nightly file sync job failed after AADSTS50055 on the svc account sign-in", "AzureActiveDirectoryExpiredCredentials", false},
		{"Azure AD Connect sync: AADSTS50055: The password is expired.", "AzureActiveDirectoryExpiredCredentials", false},
		{"Entra Connect (classic) agent export step: AADSTS50055", "AzureActiveDirectoryExpiredCredentials", false},
		{"AADConnect sync delta run error AADSTS50034, the account doesn't exist in the tenant", "AzureActiveDirectoryInvalidCredential", false},
		{"CredentialsExpired AADSTS50055: The password is expired.", "AzureActiveDirectoryExpiredCredentials", true},
		{"AADSTS50034 in the Power BI gateway logs, the guest user isn't in our directory", "AzureActiveDirectoryInvalidCredential", false},
		// The sync account's name is written like a code but is catalog text,
		// not an unknown error code.
		{"the sync service account ADToAADSyncServiceAccount doesn't exist in the tenant", "AzureActiveDirectoryInvalidCredential", true},
		// An unknown Cloud Sync code is no catalog error.
		{"HybridIdentityServiceAgentTimeout on the cloud sync config", "", false},
		// Names are not errors: naming the sync account, a cmdlet or the
		// agent service without saying anything fails is a question.
		{"ADToAADSyncServiceAccount showed up in the access review, do we need to keep it?", "", false},
		{"where is the AADConnectProvisioningAgent installed?", "", false},
		{"docs for Repair-AADCloudSyncToolsAccount?", "", false},
		{"ADToAADSyncServiceAccount doesn't exist in the tenant, cloud sync is failing", "AzureActiveDirectoryInvalidCredential", true},
		{"the ADToAADSyncServiceAccount password expired and cloud sync is quarantined", "AzureActiveDirectoryExpiredCredentials", true},
		// The agent codes: stopped is NoActiveAgents, gone is NoAgentsAssigned.
		{"Cloud Sync meldet, dass kein Agent aktiv ist - der Provisioning-Agent-Dienst läuft auf dem Server nicht", "HybridIdentityServiceNoActiveAgents", false},
		{"Cloud Sync: kein Agent zugewiesen, wir haben den alten Agent deinstalliert", "HybridIdentityServiceNoAgentsAssigned", false},
		// A distinctive code needs no context.
		{"AzureDirectoryServiceServerBusy", "AzureDirectoryServiceServerBusy", true},
	}
	e := engine(t)
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r := e.Recognize(tt.text)
			got := ""
			if len(r.Matches) > 0 {
				got = r.Matches[0].Code
			}
			if tt.code != "" && got != tt.code || r.AutoReply != tt.autoReply {
				t.Errorf("best %q auto_reply %v, want %q auto_reply %v (%+v)", got, r.AutoReply, tt.code, tt.autoReply, r.Matches)
			}
		})
	}
}

// TestOneWordCountsOnce: a name read whole and word by word
// ("ADToAADSyncServiceAccount" is also "AD to AAD sync service account")
// scores as its strongest feature, not as a sentence of them.
func TestOneWordCountsOnce(t *testing.T) {
	e := engine(t)
	for _, text := range []string{"ADToAADSyncServiceAccount", "Repair-AADCloudSyncToolsAccount", "AADConnectProvisioningAgent"} {
		norm := normalize(text)
		ts := textTerms(norm)
		ev := make([]evidence, len(e.codes))
		e.phraseEvidence(norm, ts, ev, new(scratch))
		most := 0.0
		for i := range ev {
			most = max(most, ev[i].phrase+ev[i].verbatim)
			// The strongest single feature: a word of one code's symptoms.
			if got := ev[i].phrase + ev[i].verbatim; got > 3.6 {
				t.Errorf("%s: %s scores %.2f, more than one feature", text, e.codes[i], got)
			}
		}
		if most == 0 {
			t.Errorf("%s: no evidence at all", text)
		}
	}
}
