const defaultQuery = `# Welcome to the CRM GraphQL API.
#
# 1. Create a workspace (or use signIn): run "SignUp" below.
# 2. Copy accessToken into the Headers tab:
#      { "Authorization": "Bearer <accessToken>" }
# 3. Run "CreateCustomer", then "Customers".

mutation SignUp {
  signUp(input: {
tenantName: "Acme Trading"
tenantSlug: "acme-trading"
email: "owner@acme.example"
password: "a long passphrase"
  }) {
accessToken
refreshToken
expiresIn
tenant { id slug name }
user { id email }
  }
}

mutation CreateCustomer {
  createCustomer(input: { kind: COMPANY, name: "Globex", email: "buyer@globex.example", tags: ["vip"] }) {
customer { id version name lifecycleStage createdAt }
  }
}

query Customers {
  customers(first: 20, orderBy: [{ field: NAME, direction: ASC }]) {
totalCount
edges { cursor node { id name email lifecycleStage tags } }
pageInfo { hasNextPage endCursor }
  }
}
`;
const fetcher = GraphiQL.createFetcher({ url: window.location.origin + '/graphql' });
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true })
);
