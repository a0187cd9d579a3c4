"""accounts (用户与登录): who a person is and how they prove it — phone, password, SMS code, API token."""
