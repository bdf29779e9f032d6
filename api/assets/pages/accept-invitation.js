const token = new URLSearchParams(window.location.search).get('token') || '';
const result = document.getElementById('result');
if (!token) {
  result.className = 'error';
  result.textContent = 'This link has no invitation token. Open the link from your invitation message.';
  document.getElementById('submit').disabled = true;
}
document.getElementById('accept').addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = document.getElementById('submit');
  button.disabled = true;
  result.className = '';
  result.textContent = 'Joining…';
  const query = 'mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { tenant { name slug } user { email } } }';
  const input = { token, password: document.getElementById('password').value };
  const name = document.getElementById('name').value.trim();
  if (name) input.displayName = name;
  try {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/graphql-response+json' },
      body: JSON.stringify({ query, variables: { input } }),
    });
    const body = await response.json();
    if (body.errors) {
      result.className = 'error';
      result.textContent = body.errors[0].message;
      button.disabled = false;
      return;
    }
    const joined = body.data.acceptInvitation;
    result.className = 'ok';
    result.textContent = 'Welcome! You are now a member of ' + joined.tenant.name + '. Sign in as '
      + joined.user.email + ' with workspace "' + joined.tenant.slug + '".';
    document.getElementById('accept').hidden = true;
  } catch (err) {
    result.className = 'error';
    result.textContent = 'The server could not be reached. Try again in a moment.';
    button.disabled = false;
  }
});
