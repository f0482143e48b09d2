(function(){
var d=document.body.dataset;
document.querySelectorAll('.tok').forEach(function(el){
var b=document.createElement('button');
b.type='button';b.className='copy';b.textContent=d.copy;
b.setAttribute('aria-label',d.copy+' '+el.textContent);
b.addEventListener('click',function(){
var s=el.textContent.trim();
function done(){b.textContent=d.copied;setTimeout(function(){b.textContent=d.copy},2000)}
function select(){var r=document.createRange();r.selectNodeContents(el);var g=getSelection();g.removeAllRanges();g.addRange(r);try{if(document.execCommand('copy'))done()}catch(e){}}
if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(s).then(done,select)}else{select()}
});
el.after(b);
});
})();
