# Tenant policy "<tenant>-admin": manage the tenant's KV secrets.
# {{tenant_path}} is the tenant's path (VAULT_TENANT_PATH with the slug).

path "{{tenant_path}}/kv/data/*" {
  capabilities = ["create", "read", "update", "delete"]
}
path "{{tenant_path}}/kv/metadata/*" {
  capabilities = ["read", "list", "delete"]
}
