SELECT
  eventversion,
  useridentity.type AS useridentity_type,
  useridentity.principalid AS useridentity_principalid,
  useridentity.arn AS useridentity_arn,
  useridentity.accountid AS useridentity_accountid,
  useridentity.accesskeyid AS useridentity_accesskeyid,
  useridentity.username AS useridentity_username,
  useridentity.invokedby AS useridentity_invokedby,
  useridentity.sessioncontext.attributes.mfaauthenticated AS useridentity_sessioncontext_attributes_mfaauthenticated,
  useridentity.sessioncontext.attributes.creationdate AS useridentity_sessioncontext_attributes_creationdate,
  useridentity.sessioncontext.sessionissuer.type AS useridentity_sessioncontext_sessionissuer_type,
  useridentity.sessioncontext.sessionissuer.principalid AS useridentity_sessioncontext_sessionissuer_principalid,
  useridentity.sessioncontext.sessionissuer.arn AS useridentity_sessioncontext_sessionissuer_arn,
  useridentity.sessioncontext.sessionissuer.accountid AS useridentity_sessioncontext_sessionissuer_accountid,
  useridentity.sessioncontext.sessionissuer.username AS useridentity_sessioncontext_sessionissuer_username,
  eventtime,
  eventsource,
  eventname,
  awsregion,
  sourceipaddress,
  useragent,
  errorcode,
  errormessage,
  json_format(CAST(requestparameters AS JSON)) AS requestparameters,
  json_format(CAST(responseelements AS JSON)) AS responseelements,
  json_format(CAST(additionaleventdata AS JSON)) AS additionaleventdata,
  requestid,
  eventid,
  readonly,
  eventtype,
  recipientaccountid,
  sessioncredentialfromconsole
FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE
WHERE (
    useridentity.type = 'Root'
    OR (eventsource = 'signin.amazonaws.com' AND eventname IN ('PasswordRecoveryCompleted', 'PasswordRecoveryRequested'))
    OR (eventsource = 'sts.amazonaws.com' AND eventname = 'AssumeRoot')
    OR (useridentity.type = 'FederatedUser' AND useridentity.sessioncontext.sessionissuer.type = 'Root')
    OR (eventsource = 'account.amazonaws.com' AND eventname IN ('AcceptPrimaryEmailUpdate', 'DeleteAlternateContact', 'PutAlternateContact', 'PutContactInformation', 'StartPrimaryEmailUpdate'))
    OR (eventsource = 'billingconsole.amazonaws.com' AND eventname IN ('SetAccountPreferences', 'SetAdditionalContacts', 'SetContactAddress', 'SetSecurityQuestions'))
  )
  AND eventtime >= '2025-03-01 00:00:00'
  AND eventtime < '2025-03-08 00:00:00'
