package recognize

// hints are how admins describe each error in their own words, where the
// catalog's text does not: Microsoft's message says "the agent is behind a
// firewall", an admin says "the proxy blocks servicebus.windows.net". They
// are one more document of each code (weighted like a scenario) and go
// through the same IDF weighting, so a hint shared by several codes counts
// little. Codes absent from the catalog are ignored; overlay codes simply
// have no hints. Keep this table small: every line must be a symptom an
// admin reports, not a guess at the test set.
var hints = map[string][]string{
	"TimeOut": {
		"the request to the agent timed out",
		"agent took too long to answer, the agent is slow or overloaded",
		"timeout contacting the on-premises agent",
		"agent is not responding",
		"cloud sync can't talk to or reach the agent",
	},
	"HybridSynchronizationActiveDirectoryInternalServerError": {
		"internal server error from Active Directory",
		"the agent failed to turn the SCIM request into an AD search",
		"HTTP request exception on the AD side",
	},
	"HybridIdentityServiceNoAgentsAssigned": {
		"no agent is assigned to the domain",
		"agent was uninstalled or deleted, no agents listed in the portal",
		"need to install and register a new agent",
	},
	"HybridIdentityServiceNoActiveAgents": {
		"agent is inactive or offline, the agent service is stopped",
		"firewall or proxy blocks servicebus.windows.net",
		"agent can't reach service bus, outbound connection blocked",
		"cloud sync can't talk to or reach the agent",
		"agent is not responding",
	},
	"HybridIdentityServiceInvalidResource": {
		"resource name is not set, HIS doesn't know which agent to contact",
		"re-register the agent and restart the configuration",
	},
	"HybridIdentityServiceAgentSignalingError": {
		"service bus outage, can't deliver the message to the agent",
		"service bus can't signal the agent",
		"cloud sync can't talk to or reach the agent",
		"agent is not responding",
	},
	"AzureDirectoryServiceServerBusy": {
		"Entra ID is busy or throttling, it retries automatically",
		"directory server busy, wait 24 hours",
	},
	"AzureActiveDirectoryInvalidCredential": {
		"the sync service account was deleted or is missing from the tenant",
		"invalid credentials for the service account",
	},
	"AzureActiveDirectoryExpiredCredentials": {
		"the service account password or credentials expired",
		"the OAuth token expired",
	},
	"AzureActiveDirectoryAuthenticationFailed": {
		"authentication to Entra ID failed with an unknown or unexpected error",
		"can't authenticate, auth failure",
	},
}
