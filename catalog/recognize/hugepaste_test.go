package recognize

import (
	"fmt"
	"strings"
	"testing"
)

// traceLog builds an agent trace log of about size bytes in which every
// line says "Azure" and "agent" (as the provisioning agent's own trace
// does), with errLine inserted at byte offset at (or at the end).
func traceLog(size, at int, errLine string) string {
	var b strings.Builder
	placed := false
	for n := 0; b.Len() < size; n++ {
		if !placed && b.Len() >= at {
			b.WriteString(errLine + "\n")
			placed = true
		}
		fmt.Fprintf(&b, "2025-03-%02dT10:%02d:%02d.%03dZ [INFO] Microsoft.Azure.ActiveDirectory.Synchronization.ProvisioningAgent: "+
			"agent heartbeat ok, Azure endpoint reachable, request %08x-1c2d-4e5f-8a9b-%012x seq=%d\n", n%28+1, n%60, (n*7)%60, n%1000, n*2654435761%(1<<32), n*40503, n)
	}
	if !placed {
		b.WriteString(errLine + "\n")
	}
	return b.String()
}

// TestHugePasteKeepsTheError: over maxScan bytes the normaliser keeps
// windows, the specific signals first, so the error survives wherever it
// sits in a log whose every line has the generic anchor words.
func TestHugePasteKeepsTheError(t *testing.T) {
	e := engine(t)
	errs := []struct{ line, code string }{
		{"2025-03-03T11:00:00Z [ERROR] Provisioning failed: AzureDirectoryServiceServerBusy An error occurred. Error Code: 81. Error Description: Microsoft Entra ID is currently busy.", "AzureDirectoryServiceServerBusy"},
		{"2025-03-03T11:00:00Z [ERROR] Job AD2AADProvisioning.1f2e3d4c5b6a79880716253443526170.0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d HybridIdentityServiceAgentSignalingError", "HybridIdentityServiceAgentSignalingError"},
		{"2025-03-03T11:00:00Z [ERROR] export failed: HybridIdentitySeviceNoActiveAgents", "HybridIdentityServiceNoActiveAgents"},
	}
	for _, size := range []int{90 << 10, 300 << 10} {
		for _, at := range []int{0, size / 2, 64500, 66000, size + 1} {
			for _, er := range errs {
				text := traceLog(size, at, er.line)
				r := e.Recognize(text)
				if len(r.Matches) == 0 || r.Matches[0].Code != er.code || !r.AutoReply {
					t.Errorf("%d KB log, error at %d (%s): got %+v", size>>10, at, er.code, r)
				}
			}
		}
	}
}

// TestHugeLocalizedPaste: the cap is in bytes, so a Slack message of
// 40,000 CJK or Cyrillic characters is windowed too; the translated
// message's start is a specific anchor.
func TestHugeLocalizedPaste(t *testing.T) {
	e := engine(t)
	tests := []struct{ filler, msg, code string }{
		{"エージェントのログを確認しています。Azure のサービスは正常に動作しています。同期の状態は良好です。",
			"同期しようとしているドメインでアクティブなエージェントが見つかりません。エージェントがインストールされているサーバーに移動して、エージェントが実行されているかどうかを確認し、[サービス] で \"Microsoft Azure AD クラウド同期エージェント\" が実行されているかどうかをご確認ください。",
			"HybridIdentityServiceNoActiveAgents"},
		{"代理日志：Azure 服务运行正常，同步状态良好，代理心跳正常。",
			"出现错误。 错误代码：81。 错误说明： Azure Active Directory 当前正忙。 将自动重试此操作。 如果此问题持续超过24小时，请联系技术支持。",
			"AzureDirectoryServiceServerBusy"},
		{"Журнал агента Azure: соединение установлено, синхронизация выполняется нормально. ",
			"не удалось найти активный агент для домена, который вы пытаетесь синхронизировать. Проверьте, выполняется ли агент, перейдя на сервер, на котором установлен агент, и проверьте, работает ли \"Microsoft Azure AD агента облачной синхронизации\" в разделе \"службы\".",
			"HybridIdentityServiceNoActiveAgents"},
	}
	for _, tt := range tests {
		var b strings.Builder
		for len([]rune(b.String())) < 39000 {
			b.WriteString(tt.filler)
		}
		text := b.String() + tt.msg
		if len(text) <= maxScan {
			t.Fatalf("test text of %d bytes is not over maxScan", len(text))
		}
		r := e.Recognize(text)
		if len(r.Matches) == 0 || r.Matches[0].Code != tt.code {
			t.Errorf("%d-byte paste ending %.30q…: got %+v", len(text), tt.msg, r.Matches)
		}
	}
}
