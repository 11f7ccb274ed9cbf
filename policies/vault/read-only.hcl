# Tenant policy "<tenant>-read-only": read the tenant's KV secrets, nothing else.
# {{tenant_path}} is the tenant's path (VAULT_TENANT_PATH with the slug).

path "{{tenant_path}}/kv/data/*" {
  capabilities = ["read"]
}
path "{{tenant_path}}/kv/metadata/*" {
  capabilities = ["read", "list"]
}
