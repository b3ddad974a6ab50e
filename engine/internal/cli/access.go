package cli

import "github.com/hsmsim/hsmsim/engine/internal/hsm"

// commandOps names, for every command, the operations of the access table
// (hsm.Check) it does. A command runs for a user who may do one of them;
// the keys it names are checked when it looks them up (Cluster.Lookup).
// "key set-attribute" is two: a crypto user changes the attributes of its
// keys, an admin only the trusted attribute (key set-attribute.md).
var commandOps = map[string][]hsm.Op{
	"login":                                  {hsm.OpLogin},
	"logout":                                 {hsm.OpLoggedIn},
	"user list":                              {hsm.OpListUsers},
	"user create":                            {hsm.OpManageUsers},
	"user delete":                            {hsm.OpManageUsers},
	"user change-password":                   {hsm.OpChangeOwnPassword},
	"key list":                               {hsm.OpRead},
	"key delete":                             {hsm.OpDelete},
	"key share":                              {hsm.OpShare},
	"key unshare":                            {hsm.OpShare},
	"key set-attribute":                      {hsm.OpModify, hsm.OpSetTrusted},
	"key generate-symmetric aes":             {hsm.OpCreateKey},
	"key generate-symmetric generic-secret":  {hsm.OpCreateKey},
	"key generate-asymmetric-pair rsa":       {hsm.OpCreateKey},
	"key generate-asymmetric-pair ec":        {hsm.OpCreateKey},
	"key generate-asymmetric-pair ml-dsa":    {hsm.OpCreateKey},
	"key generate-file":                      {hsm.OpExportPublic}, // a public key or a reference to a private one
	"key import pem":                         {hsm.OpCreateKey},
	"crypto sign rsa-pkcs":                   {hsm.OpUse},
	"crypto sign rsa-pkcs-pss":               {hsm.OpUse},
	"crypto sign ecdsa":                      {hsm.OpUse},
	"crypto verify rsa-pkcs":                 {hsm.OpUse},
	"crypto verify rsa-pkcs-pss":             {hsm.OpUse},
	"crypto verify ecdsa":                    {hsm.OpUse},
	"crypto sign ed25519":                    {hsm.OpUse},
	"crypto sign ed25519ph":                  {hsm.OpUse},
	"crypto verify ed25519":                  {hsm.OpUse},
	"crypto verify ed25519ph":                {hsm.OpUse},
	"crypto sign ml-dsa":                     {hsm.OpUse},
	"crypto verify ml-dsa":                   {hsm.OpUse},
	"cluster hsm-info":                       {hsm.OpClusterInfo},
	"cluster activate":                       {hsm.OpLogin},
	"key replicate":                          {hsm.OpCreateKey},
	"user replicate":                         {hsm.OpManageUsers},
	"quorum token-sign list-quorum-values":   {hsm.OpClusterInfo},
	"quorum token-sign set-quorum-value":     {hsm.OpQuorum},
	"quorum token-sign generate":             {hsm.OpQuorum},
	"quorum token-sign list":                 {hsm.OpLoggedIn},
	"quorum token-sign delete":               {hsm.OpQuorum},
	"user change-quorum token-sign register": {hsm.OpQuorum},
	"cluster mtls register-trust-anchor":     {hsm.OpManageMTLS},
	"cluster mtls deregister-trust-anchor":   {hsm.OpManageMTLS},
	"cluster mtls list-trust-anchors":        {hsm.OpClusterInfo},
	"cluster mtls get-enforcement":           {hsm.OpMTLSStatus},
	"cluster mtls set-enforcement":           {hsm.OpManageMTLS},
	"login mfa-token-sign":                   {hsm.OpLogin},
	"user change-mfa token-sign":             {hsm.OpChangeMFA},
}

func init() {
	// key wrap exports its payload with a wrapping key; key unwrap makes a
	// key with an unwrapping key.
	for m := range wrapMechanisms {
		commandOps["key wrap "+m] = []hsm.Op{hsm.OpExport}
		commandOps["key unwrap "+m] = []hsm.Op{hsm.OpCreateKey}
	}
}

// checkLogin refuses a command the current login may not run, as the
// access table answers: every command but login needs a login (the pages:
// "you must be logged in"), then a user type that may do one of its
// operations.
func (t *Tool) checkLogin(c *command) *cliError {
	ops := commandOps[c.path]
	if c.login == "" {
		return nil
	}
	if hsm.Check(t.Session, hsm.OpLoggedIn, nil) != hsm.RCSuccess {
		return &cliError{code: 1, msg: msgNotLoggedIn}
	}
	for _, op := range ops {
		if hsm.Check(t.Session, op, nil) == hsm.RCSuccess {
			return nil
		}
	}
	cu := &hsm.Session{Role: hsm.RoleCU}
	for _, op := range ops {
		if hsm.Check(cu, op, nil) == hsm.RCSuccess {
			return &cliError{code: 1, msg: msgNeedCryptoUser}
		}
	}
	return &cliError{code: 1, msg: msgNeedAdmin}
}
