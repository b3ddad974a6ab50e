package cli

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

func init() {
	register(&command{path: "login mfa-token-sign", run: loginMFA})
	register(&command{path: "user change-mfa token-sign", login: "any", run: changeMFA})
}

// The prompts of the MFA pages (login mfa-token-sign.md, user change-mfa
// token-sign.md), word for word.
const (
	promptSignedToken = "Enter signed token file path (press enter if same as the unsigned token file):"
	promptPublicKey   = "Enter public key PEM file path:"
)

// writeTokens writes the unsigned token file of the MFA pages: one entry
// per HSM, "signed" left empty for the user to fill in.
func (t *Tool) writeTokens(path string, tokens [][]byte) *cliError {
	f := tokenFile{Version: "2.0", Tokens: []tokenEntry{}}
	for _, tk := range tokens {
		f.Tokens = append(f.Tokens, tokenEntry{Unsigned: base64.StdEncoding.EncodeToString(tk)})
	}
	b, _ := json.MarshalIndent(f, "", "  ")
	if err := t.FS.WriteFile(path, append(b, '\n')); err != nil {
		return &cliError{code: 1, msg: fmt.Sprintf("Unable to write the token file %s: %v", path, err)}
	}
	return nil
}

// tokenSignatures reads a signed token file: for each token, in order, the
// signature the file pairs it with. Entries may come in any order; every
// token must be there and signed.
func tokenSignatures(b []byte, tokens [][]byte) ([][]byte, string) {
	var f tokenFile
	if err := json.Unmarshal(b, &f); err != nil || f.Version != "2.0" {
		return nil, "is not a token file (a JSON object with \"version\": \"2.0\" and its \"tokens\")"
	}
	signed := map[string]string{}
	for _, e := range f.Tokens {
		signed[e.Unsigned] = e.Signed
	}
	sigs := make([][]byte, len(tokens))
	for i, tk := range tokens {
		s, ok := signed[base64.StdEncoding.EncodeToString(tk)]
		switch {
		case !ok:
			return nil, "does not hold the tokens this command wrote"
		case s == "":
			return nil, "holds a token that is not signed: sign each unsigned token with the private key and put the Base64 signature in its \"signed\""
		}
		sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil {
			return nil, "holds a signature that is not Base64"
		}
		sigs[i] = sig
	}
	return sigs, ""
}

// askSignedTokens asks for the signed token file (Enter: the unsigned
// one's path) and reads the tokens' signatures from it.
func (t *Tool) askSignedTokens(a *args, unsignedPath string, tokens [][]byte, then func(sigs [][]byte) result) result {
	return result{ask: &tool.Question{Prompt: promptSignedToken, Shell: true, Answer: func(path string) tool.Result {
		path = strings.TrimSpace(path)
		if path == "" {
			path = unsignedPath
		}
		b, err := t.FS.ReadFile(path)
		if err != nil {
			return a.finish(fail(fmt.Sprintf("Unable to read the token file %s: %v", path, err)))
		}
		sigs, why := tokenSignatures(b, tokens)
		if why != "" {
			return a.finish(fail(fmt.Sprintf("The token file %s %s", path, why)))
		}
		return a.finish(then(sigs))
	}}}
}

// loginMFA is "login --username U --role R mfa-token-sign --token FILE":
// the password, then a token per HSM written to FILE for the user to sign,
// then the signed file.
func loginMFA(t *Tool, a *args) result {
	if hsm.Check(t.Session, hsm.OpLogin, nil) != hsm.RCSuccess {
		return fail(msgAlreadyLoggedIn)
	}
	name, role, path := a.get("username"), a.get("role"), a.get("token")
	return withPassword(a, "password", false, func(pw string) result {
		ch, st := t.Cluster.StartMFALogin(hsmRole(role), name, pw, t.nodeIDs(), t.Rand)
		if ch == nil {
			return mfaLoginFail(st.First())
		}
		if e := t.writeTokens(path, ch.Tokens); e != nil {
			return result{err: e}
		}
		return t.askSignedTokens(a, path, ch.Tokens, func(sigs [][]byte) result {
			s, st := t.Cluster.FinishMFALogin(ch, sigs)
			if s == nil {
				return mfaLoginFail(st.First())
			}
			t.Session, t.role = s, role
			return ok(userData(s.User, role))
		})
	})
}

func mfaLoginFail(rc hsm.RC) result {
	switch rc {
	case hsm.RCMFANotEnabled:
		return fail("MFA is not enabled for this user: log in without mfa-token-sign")
	case hsm.RCMFAFailed:
		return fail("MFA token verification failed: a signature does not verify with the user's registered MFA public key")
	}
	return rcFail(rc)
}

// changeMFA is "user change-mfa token-sign": with --token it writes a token
// per HSM, asks for the signed file and the public key, and registers the
// key; with --deregister it removes the user's MFA key. Either way the
// user's password is set to --change-password (asked for, twice, when left
// out).
func changeMFA(t *Tool, a *args) result {
	name, role := strings.ToLower(a.get("username")), a.get("role")
	u := t.Cluster.FindUser(name)
	if u == nil || !hsm.RoleMatches(hsmRole(role), u.Type) {
		return fail("The user does not exist")
	}
	if rc := hsm.Check(t.Session, hsm.OpChangeMFA, hsm.OnUser(u)); rc != hsm.RCSuccess {
		return fail("Only admins can change the MFA of another user")
	}
	quorum := a.has("change-quorum")
	return withPassword(a, "change-password", true, func(pw string) result {
		if err := hsm.ValidatePassword(pw); err != nil {
			return fail("Invalid password: " + err.Error())
		}
		if e := t.approve(a, hsm.ServiceUserMgmt); e != nil {
			return result{err: e}
		}
		apply := func(pub []byte, tokens, sigs [][]byte) result {
			rc := t.perNode(func(node int) hsm.RC {
				return t.Cluster.ChangeMFAOn(t.Session, node, hsmRole(role), name, pw, pub, tokens, sigs, quorum)
			})
			switch rc {
			case hsm.RCSuccess:
			case hsm.RCMFAFailed:
				return fail("The signed tokens do not verify with the public key")
			case hsm.RCUserNotFound:
				return fail("The user does not exist")
			default:
				return rcFail(rc)
			}
			if u.ID != t.Session.UserID {
				t.Cluster.UseToken(t.Session, hsm.ServiceUserMgmt)
			}
			return ok(userData(name, role))
		}
		if a.has("deregister") {
			return apply(nil, nil, nil)
		}
		tokens, err := t.Cluster.NewMFATokens(t.Rand)
		if err != nil {
			return fail(err.Error())
		}
		if len(tokens) == 0 {
			return rcFail(hsm.RCServerUnavailable)
		}
		path := a.get("token")
		if e := t.writeTokens(path, tokens); e != nil {
			return result{err: e}
		}
		return t.askSignedTokens(a, path, tokens, func(sigs [][]byte) result {
			return result{ask: &tool.Question{Prompt: promptPublicKey, Shell: true, Answer: func(keyPath string) tool.Result {
				keyPath = strings.TrimSpace(keyPath)
				pub, err := t.FS.ReadFile(keyPath)
				if err != nil {
					return a.finish(fail(fmt.Sprintf("Unable to read the public key %s: %v", keyPath, err)))
				}
				if _, err := hsm.ParseQuorumPublicKey(pub); err != nil {
					return a.finish(fail(fmt.Sprintf("The file %s holds no RSA-2048 public key in PEM: %v", keyPath, err)))
				}
				return a.finish(apply(pub, tokens, sigs))
			}}}
		})
	})
}
