# The broker's own Vault policy: issue for every tenant, nothing else.
# Placeholders, filled by scripts/vault-setup.ts:
#   {{ns}}          "" or the namespace template with {tenant} as "+" and a trailing "/"
#   {{tenant_path}} VAULT_TENANT_PATH with {tenant} as "+"

path "{{ns}}auth/token/create/jit-*" {
  capabilities = ["create", "update"]
}
path "{{ns}}auth/token/revoke-accessor" {
  capabilities = ["update"]
}
path "{{ns}}auth/token/lookup-accessor" {
  capabilities = ["update"]
}
path "{{ns}}{{tenant_path}}/database/creds/*" {
  capabilities = ["read"]
}
path "{{ns}}{{tenant_path}}/ssh/sign/*" {
  capabilities = ["create", "update"]
}
path "{{ns}}sys/leases/lookup" {
  capabilities = ["update"]
}
path "{{ns}}sys/leases/renew" {
  capabilities = ["update"]
}
path "{{ns}}sys/leases/revoke" {
  capabilities = ["update"]
}
path "{{ns}}sys/wrapping/wrap" {
  capabilities = ["update"]
}
path "sys/wrapping/wrap" {
  capabilities = ["update"]
}
