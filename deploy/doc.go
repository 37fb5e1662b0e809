// Package deploy holds what it takes to run syncerr: the Slack app
// manifest, checked against Slack's manifest schema by this package's
// tests, and the tests that keep the Dockerfile in step with go.mod.
//
// The manifest is embedded so that tools (the sandbox, a future
// `syncerr manifest`) can print the very file operators paste into Slack.
package deploy

import _ "embed"

// Manifest is slack-app-manifest.yaml, as operators paste it into Slack's
// "Create New App" > "From a manifest" dialog.
//
//go:embed slack-app-manifest.yaml
var Manifest []byte
