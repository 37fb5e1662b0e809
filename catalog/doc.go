// Package catalog holds the Entra Cloud Sync error codes syncerr knows: the
// entries imported from Microsoft's reference page, our own enrichment
// (titles, steps, links, identifying AADSTS and numeric codes), and the
// overlay files a team adds on top. It imports nothing from Slack.
package catalog
