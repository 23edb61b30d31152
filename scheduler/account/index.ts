export { accountPlan, admitAccountPayments, createAccountState, receiveCredits, rotateAccount, scheduleAccount, takeOverAccount, type RefusedAccountPayment } from './scheduler';
export type * from './types';
